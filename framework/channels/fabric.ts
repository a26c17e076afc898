import { ResumeBuffer, type ResumeSettings } from './buffer';
import { ChannelErrors } from './errors';
import { PresenceTable, type Member } from './presence';
import { nextId, type BroadcastMessage } from './protocol';
import type { Envelope, Transport } from './transport';

/** Something that receives a stream's broadcasts in this process: a WebSocket connection, an event stream. */
export interface Subscriber {
  deliver(message: BroadcastMessage): void;
  presence?(stream: string, event: 'join' | 'leave', member: Member): void;
}

export const DEFAULT_RESUME: ResumeSettings = { perStream: 100, windowMs: 120_000, maxStreams: 10_000 };
/** How often a process says it is alive, and after how long without a word its presence entries go. */
const HEARTBEAT_MS = 5_000;
const EXPIRE_MS = 15_000;

/**
 * The broadcast fabric of one process: who subscribes to which stream here, the resume buffer, the
 * presence table, and the transport that carries broadcasts to the other processes (workers, machines).
 * A broadcast is delivered here at once, whatever the transport's state.
 */
/** How long a process just started waits for another's resume buffer before it resumes clients without it. */
const SYNC_WAIT_MS = 1000;

export class Fabric {
  /** This process's id among the others: `<pid>.<random>`. */
  readonly node = `${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  readonly buffer = new ResumeBuffer({ ...DEFAULT_RESUME });
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly presenceTable = new PresenceTable();
  private readonly seen = new Map<string, number>();
  private transport: Transport | undefined;
  private timer: NodeJS.Timeout | undefined;
  log: (level: 'warn' | 'error', message: string, err?: unknown) => void = () => {};

  /** Carries this process's broadcasts to the others from now on (undefined: this process only). */
  async use(transport: Transport | undefined): Promise<void> {
    await this.stopTransport();
    this.transport = transport;
    if (!transport) return;
    let first = true;
    await transport.start((e) => this.receive(e), () => {
      this.send({ k: 'sync?', n: this.node });
      this.sendSync();
      // A new process (a replacement worker, a reload) learns what the others can resume, so a client
      // that reconnects to it loses nothing broadcast before it started.
      if (first) {
        this.send({ k: 'buf?', n: this.node });
        this.awaitBuffers();
      }
      first = false;
    });
    this.timer = setInterval(() => this.tick(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /**
   * Resolved once another process has sent its whole resume buffer (or after SYNC_WAIT_MS when none answers:
   * this is the first process). A client that resumes on a process just started waits for it, else a message
   * broadcast before this process started (still in the others' buffers) would be missed.
   */
  synced: Promise<void> = Promise.resolve();
  private syncDone: (() => void) | undefined;

  private awaitBuffers(): void {
    this.synced = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.endSync(), SYNC_WAIT_MS);
      timer.unref();
      this.syncDone = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private endSync(): void {
    const done = this.syncDone;
    this.syncDone = undefined;
    done?.();
  }

  get transportName(): string {
    return this.transport?.name ?? 'local';
  }

  private async stopTransport(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const t = this.transport;
    this.transport = undefined;
    if (t) await t.close();
  }

  async close(): Promise<void> {
    await this.stopTransport();
  }

  subscribe(stream: string, sub: Subscriber): void {
    let set = this.subscribers.get(stream);
    if (!set) this.subscribers.set(stream, (set = new Set()));
    set.add(sub);
  }

  unsubscribe(stream: string, sub: Subscriber): void {
    const set = this.subscribers.get(stream);
    if (!set) return;
    set.delete(sub);
    if (set.size === 0) this.subscribers.delete(stream);
  }

  /** Publishes to every subscriber of `stream` in every process; returns the message id. */
  broadcast(stream: string, event: string, data: unknown): string {
    if (typeof stream !== 'string' || stream === '') throw ChannelErrors.BAD_ARGUMENT('broadcastTo', 'the stream must be a non-empty string');
    if (typeof event !== 'string' || event === '') throw ChannelErrors.BAD_ARGUMENT('broadcastTo', 'the event must be a non-empty string');
    const at = Date.now();
    const message: BroadcastMessage = { stream, event, data, id: nextId(at), at };
    const t = this.transport;
    if (t) {
      const envelope: Envelope = { k: 'b', n: this.node, s: stream, e: event, d: data, i: message.id, t: at };
      if (t.maxBytes !== undefined) {
        const size = Buffer.byteLength(JSON.stringify(envelope));
        if (size > t.maxBytes) throw ChannelErrors.PAYLOAD_TOO_LARGE(stream, size, t.name, t.maxBytes);
      }
      this.send(envelope);
    }
    this.accept(message);
    return message.id;
  }

  private accept(message: BroadcastMessage): void {
    this.buffer.add(message);
    const set = this.subscribers.get(message.stream);
    if (!set) return;
    for (const sub of set) {
      try {
        sub.deliver(message);
      } catch (err) {
        this.log('error', `a subscriber of ${message.stream} failed`, err);
      }
    }
  }

  /** Adds a presence entry for a connection of this process, tells the stream and the other processes. */
  track(stream: string, key: string, meta: Record<string, unknown>): void {
    const member = this.presenceTable.add(stream, this.node, key, meta);
    this.notifyPresence(stream, 'join', member);
    this.send({ k: 'pj', n: this.node, s: stream, m: key, meta });
  }

  untrack(stream: string, key: string): void {
    const member = this.presenceTable.remove(stream, key);
    if (!member) return;
    this.notifyPresence(stream, 'leave', member);
    this.send({ k: 'pl', n: this.node, s: stream, m: key });
  }

  /** Who is connected to `stream`, in every process. */
  presence(stream: string): Member[] {
    return this.presenceTable.list(stream);
  }

  private notifyPresence(stream: string, event: 'join' | 'leave', member: Member): void {
    const set = this.subscribers.get(stream);
    if (!set) return;
    for (const sub of set) {
      try {
        sub.presence?.(stream, event, member);
      } catch (err) {
        this.log('error', `a subscriber of ${stream} failed`, err);
      }
    }
  }

  private send(envelope: Envelope): void {
    const t = this.transport;
    if (!t) return;
    try {
      t.publish(envelope);
    } catch (err) {
      this.log('error', `the ${t.name} adapter could not publish`, err);
    }
  }

  private sendSync(): void {
    const entries = this.presenceTable.of((n) => n === this.node).map(([s, key, m]) => {
      const { id: _id, ...meta } = m;
      return [s, key, meta] as [string, string, Record<string, unknown>];
    });
    this.send({ k: 'sync', n: this.node, entries });
  }

  /** Answers a new process with this one's resume buffer, in parts small enough for the transport. */
  private sendBuffer(to: string): void {
    const limit = Math.min(this.transport?.maxBytes ?? Infinity, 256 * 1024);
    let part: [string, string, unknown, string, number][] = [];
    let size = 0;
    for (const m of this.buffer.recent()) {
      const item: [string, string, unknown, string, number] = [m.stream, m.event, m.data, m.id, m.at];
      const bytes = Buffer.byteLength(JSON.stringify(item)) + 1;
      if (bytes > limit - 200) continue;
      if (size + bytes > limit - 200 && part.length) {
        this.send({ k: 'buf', n: this.node, to, msgs: part });
        part = [];
        size = 0;
      }
      part.push(item);
      size += bytes;
    }
    // The last part says so (an empty buffer answers too): the asking process stops waiting.
    this.send({ k: 'buf', n: this.node, to, msgs: part, done: true });
  }

  /** Drops every presence entry of the processes `match` picks (a worker that died, a machine gone quiet). */
  private dropNodes(match: (node: string) => boolean): void {
    for (const [stream, key] of this.presenceTable.of(match)) {
      const member = this.presenceTable.remove(stream, key);
      if (member) this.notifyPresence(stream, 'leave', member);
    }
  }

  private tick(): void {
    this.send({ k: 'hb', n: this.node });
    const now = Date.now();
    for (const [node, at] of this.seen) {
      if (now - at < EXPIRE_MS) continue;
      this.seen.delete(node);
      this.dropNodes((n) => n === node);
    }
    this.buffer.sweep(now);
  }

  /** An envelope from another process. */
  receive(e: Envelope): void {
    if (!e || typeof e !== 'object' || e.n === this.node) return;
    if (e.k === 'gone') {
      const prefix = e.pid !== undefined ? `${e.pid}.` : undefined;
      this.dropNodes((n) => (prefix ? n.startsWith(prefix) : n === e.n));
      return;
    }
    this.seen.set(e.n, Date.now());
    switch (e.k) {
      case 'b':
        this.accept({ stream: e.s, event: e.e, data: e.d, id: e.i, at: e.t });
        break;
      case 'pj':
        this.notifyPresence(e.s, 'join', this.presenceTable.add(e.s, e.n, e.m, e.meta ?? {}));
        break;
      case 'pl': {
        const member = this.presenceTable.remove(e.s, e.m);
        if (member) this.notifyPresence(e.s, 'leave', member);
        break;
      }
      case 'sync?':
        this.sendSync();
        break;
      case 'buf?':
        this.sendBuffer(e.n);
        break;
      case 'buf':
        if (e.to !== this.node) break;
        for (const [s, ev, d, i, t] of e.msgs) this.buffer.merge({ stream: s, event: ev, data: d, id: i, at: t });
        if (e.done) this.endSync();
        break;
      case 'sync': {
        const fresh = new Set(e.entries.map(([s, key]) => `${s}\u0000${key}`));
        for (const [s, key] of this.presenceTable.of((n) => n === e.n)) {
          if (fresh.has(`${s}\u0000${key}`)) continue;
          const member = this.presenceTable.remove(s, key);
          if (member) this.notifyPresence(s, 'leave', member);
        }
        const known = new Set(this.presenceTable.of((n) => n === e.n).map(([s, key]) => `${s}\u0000${key}`));
        for (const [s, key, meta] of e.entries) {
          if (!known.has(`${s}\u0000${key}`)) this.notifyPresence(s, 'join', this.presenceTable.add(s, e.n, key, meta));
        }
        break;
      }
      default:
        break;
    }
  }
}

/** One fabric per process, shared by every copy of the framework that might be loaded. */
const KEY = Symbol.for('stryke.channels.fabric');
export const fabric: Fabric = ((globalThis as any)[KEY] ??= new Fabric());

/**
 * Broadcasts `event` with `data` to every subscriber of `stream`: WebSocket channels that joined it and
 * event streams that follow it, in every worker and (with the redis or postgres adapter) on every machine.
 * Callable from anywhere: a channel, a controller, a model callback, a job. Returns the message id.
 * @example broadcastTo(`post:${comment.postId}`, 'comment', { id: comment.id, body: comment.body });
 */
export function broadcastTo(stream: string, event: string, data?: unknown): string {
  return fabric.broadcast(stream, event, data);
}

/** Who is connected to `stream` right now, across every worker and machine. */
export function presence(stream: string): Member[] {
  return fabric.presence(stream);
}
