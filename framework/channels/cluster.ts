import cluster from 'node:cluster';
import type { Envelope, Transport } from './transport';

/** The IPC message that carries an envelope between a worker and the primary of `stryke start`. */
export const CLUSTER_MESSAGE = 'stryke:channels';

/**
 * The workers of one `stryke start`: a worker sends each envelope to the primary over cluster IPC, and
 * the primary hands it to every other worker (see relayChannels, used by framework/server/primary.ts).
 */
export function clusterTransport(): Transport | undefined {
  if (!cluster.isWorker || typeof process.send !== 'function') return undefined;
  let onMessage: ((m: any) => void) | undefined;
  return {
    name: 'cluster',
    publish(envelope) {
      if (process.connected) process.send!({ type: CLUSTER_MESSAGE, e: envelope });
    },
    async start(receive, up) {
      onMessage = (m: any) => {
        if (m?.type === CLUSTER_MESSAGE && m.e) receive(m.e as Envelope);
      };
      process.on('message', onMessage);
      up();
    },
    async close() {
      if (onMessage) process.off('message', onMessage);
    },
  };
}

/**
 * In the primary: relays every worker's channel envelopes to the other workers, and when a worker dies
 * tells the others to drop its presence entries at once.
 */
export function relayChannels(): void {
  cluster.on('message', (from, m: any) => {
    if (m?.type !== CLUSTER_MESSAGE) return;
    for (const w of Object.values(cluster.workers ?? {})) {
      if (w && w !== from && w.isConnected()) w.send(m, undefined, () => {});
    }
  });
  cluster.on('exit', (dead) => {
    const gone = { type: CLUSTER_MESSAGE, e: { k: 'gone', n: `primary`, pid: dead.process.pid } };
    for (const w of Object.values(cluster.workers ?? {})) if (w && w.isConnected()) w.send(gone, undefined, () => {});
  });
}
