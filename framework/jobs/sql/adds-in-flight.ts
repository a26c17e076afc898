/**
 * The adds this process has started and not yet committed, per database and queue. A claim that finds
 * nothing waits for the adds started before it and looks once more: a worker never reports a queue
 * drained (BullMQ's `drained` after an empty first claim) while this very process is still writing jobs it
 * was told to add first. One Redis connection gives BullMQ that order for free; a pool of connections does not.
 */
const inFlight = new Map<string, Set<Promise<unknown>>>();

function keyOf(database: string, queue: string): string {
  return `${database}\u0000${queue}`;
}

/** Runs `add` as an add in flight on each of `queues` (one queue, or a flow's) until it settles. */
export function trackAdd<T>(database: string, queues: string | readonly string[], add: () => Promise<T>): Promise<T> {
  const work = add();
  for (const queue of typeof queues === 'string' ? [queues] : new Set(queues)) {
    const key = keyOf(database, queue);
    let set = inFlight.get(key);
    if (!set) inFlight.set(key, (set = new Set()));
    set.add(work);
    const done = (): void => {
      set!.delete(work);
      if (set!.size === 0 && inFlight.get(key) === set) inFlight.delete(key);
    };
    work.then(done, done);
  }
  return work;
}

/** The adds in flight on `queue` now (a copy), or undefined when there are none. */
export function addsInFlight(database: string, queue: string): Promise<unknown>[] | undefined {
  const set = inFlight.get(keyOf(database, queue));
  return set && set.size > 0 ? [...set] : undefined;
}
