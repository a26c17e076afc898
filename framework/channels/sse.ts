import { fabric, type Subscriber } from './fabric';
import type { BroadcastMessage } from './protocol';

/** The part of an event stream (framework/http/sse.ts) that following broadcasts needs. */
export interface EventSink {
  readonly lastEventId: string | undefined;
  readonly closed: boolean;
  readonly signal: AbortSignal;
  send(event: { data: unknown; event?: string; id?: string | number }): Promise<boolean>;
}

/**
 * Forwards the broadcasts of `streams` to an event stream until the client leaves (or the server shuts
 * down): first what it missed since its Last-Event-ID (from the resume buffer), then each new one, with
 * the broadcast's id as the event id, so a reconnecting browser resumes where it was.
 */
export async function followStreams(sink: EventSink, streams: string[]): Promise<void> {
  if (sink.closed) return;
  let queue: BroadcastMessage[] = [];
  let wake: (() => void) | undefined;
  const sub: Subscriber = {
    deliver(m) {
      queue.push(m);
      wake?.();
    },
  };
  for (const s of streams) fabric.subscribe(s, sub);
  try {
    if (sink.lastEventId) {
      await fabric.synced; // a process just started: what it missed may still be on its way from the others
      const missed: BroadcastMessage[] = [];
      for (const s of streams) missed.push(...fabric.buffer.since(s, sink.lastEventId));
      missed.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
      const ids = new Set(missed.map((m) => m.id));
      queue = [...missed, ...queue.filter((m) => !ids.has(m.id))];
    }
    const aborted = new Promise<void>((resolve) => sink.signal.addEventListener('abort', () => resolve(), { once: true }));
    while (!sink.closed) {
      if (queue.length === 0) {
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        wake = undefined;
        continue;
      }
      const batch = queue;
      queue = [];
      for (const m of batch) {
        if (!(await sink.send({ id: m.id, event: m.event, data: JSON.stringify(m.data ?? null) }))) return;
      }
    }
  } finally {
    for (const s of streams) fabric.unsubscribe(s, sub);
  }
}
