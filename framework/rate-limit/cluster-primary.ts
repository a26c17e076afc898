import type { Cluster } from 'node:cluster';
import { localStore } from './store';

/**
 * In `stryke start`'s primary: keeps the workers' rate-limit counters (see cluster-store.ts) in one
 * in-process LRU store, so a client counts the same whichever worker its connection landed on.
 */
export function serveClusterRateLimits(cluster: Cluster, cache = 100_000): void {
  let store: ReturnType<typeof localStore> | undefined;
  cluster.on('message', (worker, m: any) => {
    if (m?.type !== 'stryke:rate-limit' || !Array.isArray(m.batch)) return;
    store ??= localStore(cache);
    const counts: [number, number, number][] = [];
    for (const [id, key, windowMs, max] of m.batch as [number, string, number, number][]) {
      store.incr(String(key), (_err, res) => counts.push([id, res!.current, res!.ttl]), Number(windowMs), Number(max));
    }
    if (worker.isConnected()) worker.send({ type: 'stryke:rate-limit:counts', counts });
  });
}
