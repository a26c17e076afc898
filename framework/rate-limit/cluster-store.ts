import type { Count, CounterStore } from './store';

/**
 * The counters of `stryke start`'s workers, kept by the primary (see cluster-primary.ts) so that every
 * worker counts against the same limit. Increments made in one turn of the event loop travel in one IPC
 * message, and their answers in one: under load a message carries many requests.
 *
 *   worker  -> primary  { type: 'stryke:rate-limit', batch: [[id, key, windowMs, max], ...] }
 *   primary -> worker   { type: 'stryke:rate-limit:counts', counts: [[id, current, ttlMs], ...] }
 */
export class ClusterStore implements CounterStore {
  private readonly pending = new Map<number, (err: Error | null, res?: Count) => void>();
  private batch: [number, string, number, number][] = [];
  private nextId = 1;
  private scheduled = false;
  private readonly onMessage = (m: any) => {
    if (m?.type !== 'stryke:rate-limit:counts') return;
    for (const [id, current, ttl] of m.counts as [number, number, number][]) {
      const cb = this.pending.get(id);
      if (!cb) continue;
      this.pending.delete(id);
      cb(null, { current, ttl });
    }
  };

  constructor(private readonly timeoutMs = 2000) {
    process.on('message', this.onMessage);
  }

  incr(key: string, cb: (err: Error | null, res?: Count) => void, timeWindow: number, max: number): void {
    const id = this.nextId++;
    this.pending.set(id, cb);
    this.batch.push([id, key, timeWindow, max]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = () => {
    this.scheduled = false;
    const batch = this.batch;
    this.batch = [];
    if (!process.send || !process.connected) return this.fail(batch, 'the primary is gone');
    process.send({ type: 'stryke:rate-limit', batch });
    // An answer that never comes (a primary that is not stryke's) fails the requests' checks instead of hanging them.
    setTimeout(() => this.fail(batch, `the primary did not answer in ${this.timeoutMs} ms`), this.timeoutMs).unref();
  };

  private fail(batch: [number, string, number, number][], why: string): void {
    for (const [id] of batch) {
      const cb = this.pending.get(id);
      if (!cb) continue;
      this.pending.delete(id);
      cb(new Error(`rate-limit counters unavailable: ${why}`));
    }
  }

  /** This store seen by one counter: its keys go to the primary prefixed with the counter's name. */
  scoped(scope: string): CounterStore {
    const prefix = `${scope}|`;
    return { incr: (key, cb, timeWindow, max) => this.incr(prefix + key, cb, timeWindow, max) };
  }

  close(): void {
    process.off('message', this.onMessage);
    this.fail([...this.pending.keys()].map((id) => [id, '', 0, 0]), 'the app closed');
  }
}
