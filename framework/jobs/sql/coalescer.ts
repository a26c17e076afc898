/**
 * What the SQL queue's two batchers share (add-batch.ts for `queue.add`, batch.ts for a worker's moves):
 * items submitted while fewer than `maxInFlight` transactions run start one at once; the items submitted
 * meanwhile wait and go together, at most `maxBatch` to a transaction, into the next one to start. With
 * `gather`, a transaction starts only after the current macrotask, so items submitted together (jobs that
 * finish in one tick) join one batch. With `gather: 'sync'`, only the items submitted by the same synchronous
 * run of code join (the start waits a microtask, not for I/O): `add(a); add(b); add(c)` without awaiting goes
 * in one transaction, in call order, where parallel transactions could commit them in any order.
 */
export interface CoalescerOptions<I> {
  maxBatch: number;
  maxInFlight: number;
  gather: boolean | 'sync';
  /** Writes one batch; settles each item's own promise. Must not reject. */
  write(batch: I[]): Promise<void>;
  /** With `gather`: a batch waiting to start waits for this first, when given (items keep joining it meanwhile). */
  hold?(): Promise<void> | undefined;
}

/**
 * Taken when this module loads: an app's test that fakes timers (sinon fakes `setImmediate` by default) still
 * runs its batches.
 */
export const realSetImmediate = globalThis.setImmediate;

export class Coalescer<I> {
  private pending: I[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly options: CoalescerOptions<I>) {}

  push(item: I): void {
    this.pending.push(item);
    this.kick();
  }

  private kick(): void {
    const { maxInFlight, gather } = this.options;
    if (!gather) {
      while (this.inFlight < maxInFlight && this.pending.length > 0) this.start();
      return;
    }
    if (this.scheduled || this.inFlight >= maxInFlight || this.pending.length === 0) return;
    this.scheduled = true;
    const go = () => {
      const wait = this.options.hold?.();
      if (wait) return void wait.then(go);
      this.scheduled = false;
      if (this.inFlight >= maxInFlight || this.pending.length === 0) return;
      this.start();
    };
    if (gather === 'sync') queueMicrotask(go);
    else realSetImmediate(go);
  }

  private start(): void {
    const batch = this.pending.splice(0, this.options.maxBatch);
    this.inFlight++;
    void this.options.write(batch).finally(() => {
      this.inFlight--;
      this.kick();
    });
  }
}
