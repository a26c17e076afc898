/**
 * One poll shared by every open stream that follows it. An event stream that polled the database itself
 * would run one query per open stream per interval; a `SharedPoll` runs `poll` once per interval while
 * at least one stream follows it (none when nobody listens) and hands each result to all of them.
 *
 * @example
 * let newest = 0;
 * const newPosts = new SharedPoll(1000, async () => {
 *   const fresh = await Post.where('id > ?', newest).order('id').limit(50);
 *   if (fresh.length) newest = fresh[fresh.length - 1]!.id;
 *   return fresh;
 * });
 * // in an action: for await (const posts of newPosts.updates(stream.signal)) ...
 */
export class SharedPoll<T> {
  private readonly listeners = new Set<(batch: T[] | Error) => void>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    /** Milliseconds between polls. */
    private readonly every: number,
    /** One poll: what is new since the last one (it keeps its own cursor). */
    private readonly poll: () => Promise<T[]>,
  ) {}

  /** How many streams follow this poll now. */
  get followers(): number {
    return this.listeners.size;
  }

  /**
   * Every poll's result from now on (an empty array when nothing was new: a stream can send a keep-alive),
   * until `signal` aborts. Results are queued from the call on, so a stream that reads its backlog first
   * misses nothing that arrived meanwhile. A poll that fails ends each follower's loop with its error.
   */
  updates(signal: AbortSignal): AsyncIterable<T[]> {
    const queue: (T[] | Error)[] = [];
    let wake: (() => void) | undefined;
    const listener = (batch: T[] | Error) => {
      queue.push(batch);
      wake?.();
    };
    const stop = () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      wake?.();
    };
    if (!signal.aborted) {
      this.listeners.add(listener);
      signal.addEventListener('abort', stop, { once: true });
      this.schedule();
    }
    return {
      [Symbol.asyncIterator]: async function* () {
        try {
          while (!signal.aborted) {
            if (!queue.length) await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            while (queue.length && !signal.aborted) {
              const next = queue.shift()!;
              if (next instanceof Error) throw next;
              yield next;
            }
          }
        } finally {
          stop();
          signal.removeEventListener('abort', stop);
        }
      },
    };
  }

  private schedule(): void {
    if (this.timer || this.running || this.listeners.size === 0) return;
    this.timer = setTimeout(() => void this.tick(), this.every);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    let result: T[] | Error;
    try {
      result = await this.poll();
    } catch (err) {
      result = err instanceof Error ? err : new Error(String(err));
    }
    this.running = false;
    for (const listener of [...this.listeners]) listener(result);
    this.schedule();
  }
}
