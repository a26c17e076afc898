import { idTime, type BroadcastMessage } from './protocol';

export interface ResumeSettings {
  /** Messages kept per stream. */
  perStream: number;
  /** Milliseconds a message stays resumable. */
  windowMs: number;
  /** Streams kept at most (the least recently written are dropped first). */
  maxStreams: number;
}

/**
 * The resume buffer: the last messages of each stream, for a client that reconnects with the id of the
 * last one it saw (a WebSocket's `lastEventId`, an event stream's Last-Event-ID). Every process keeps the
 * messages of every stream it hears about, so a client may come back to any worker.
 */
export class ResumeBuffer {
  private readonly streams = new Map<string, BroadcastMessage[]>();

  constructor(public settings: ResumeSettings) {}

  add(m: BroadcastMessage): void {
    let list = this.streams.get(m.stream);
    if (list) {
      // Least recently written last out: re-inserting moves the stream to the end of the Map's order.
      this.streams.delete(m.stream);
    } else {
      list = [];
      if (this.streams.size >= this.settings.maxStreams) this.streams.delete(this.streams.keys().next().value!);
    }
    this.streams.set(m.stream, list);
    list.push(m);
    if (list.length > this.settings.perStream) list.splice(0, list.length - this.settings.perStream);
  }

  /** Adds a message heard about late (another process's buffer), in time order, unless it is here already. */
  merge(m: BroadcastMessage): void {
    const list = this.streams.get(m.stream);
    if (!list) return this.add(m);
    if (list.some((x) => x.id === m.id)) return;
    let at = list.length;
    while (at > 0 && list[at - 1]!.at > m.at) at--;
    list.splice(at, 0, m);
    if (list.length > this.settings.perStream) list.splice(0, list.length - this.settings.perStream);
  }

  /** Every message still within the window, oldest stream first. */
  recent(now = Date.now()): BroadcastMessage[] {
    const oldest = now - this.settings.windowMs;
    const out: BroadcastMessage[] = [];
    for (const list of this.streams.values()) for (const m of list) if (m.at >= oldest) out.push(m);
    return out;
  }

  /**
   * The messages of `stream` after `since`, oldest first, within the window. An id that is no longer in the
   * buffer (or came from another stream) is placed by its time.
   */
  since(stream: string, since: string, now = Date.now()): BroadcastMessage[] {
    const list = this.streams.get(stream);
    if (!list?.length) return [];
    const oldest = now - this.settings.windowMs;
    const at = list.findIndex((m) => m.id === since);
    let out: BroadcastMessage[];
    if (at >= 0) {
      out = list.slice(at + 1);
    } else {
      const t = idTime(since);
      if (Number.isNaN(t)) return [];
      out = list.filter((m) => m.at > t || (m.at === t && m.id > since));
    }
    return out.filter((m) => m.at >= oldest);
  }

  /** Drops streams whose newest message left the window. */
  sweep(now = Date.now()): void {
    const oldest = now - this.settings.windowMs;
    for (const [stream, list] of this.streams) if (!list.length || list[list.length - 1]!.at < oldest) this.streams.delete(stream);
  }

  get size(): number {
    return this.streams.size;
  }
}
