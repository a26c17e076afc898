import type { Server } from 'node:http';

/** How long kept-alive clients get to send their next request (answered with `Connection: close`) before idle connections are closed. */
export const DRAIN_GRACE_MS = 1000;

/**
 * Closes a worker's app without failing a request on a kept-alive connection.
 *
 * Node's `server.close()` destroys every idle keep-alive connection at once, and a client may be sending its
 * next request on one at that very moment: it sees "socket hang up", with nothing it could have done. So
 * here the app stops taking connections and, for a grace period, keeps the open ones: fastify answers every
 * request that arrives on them with `Connection: close`, so their clients leave cleanly and reconnect (to
 * another worker). Only then are the connections still idle closed, and again every grace period for
 * those that requests in flight at the start leave idle, until the server has no connection left.
 */
export async function drainAndClose(server: Server, close: () => Promise<void>, graceMs = Math.min(DRAIN_GRACE_MS, server.keepAliveTimeout || DRAIN_GRACE_MS)): Promise<void> {
  const closeIdle = server.closeIdleConnections.bind(server);
  // Only this server instance, and only from now on: node's close() calls it once, at once.
  server.closeIdleConnections = () => {};
  const closed = close();
  let sweep: NodeJS.Timeout | undefined;
  const grace = setTimeout(() => {
    closeIdle();
    sweep = setInterval(closeIdle, graceMs);
  }, graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(grace);
    clearInterval(sweep);
  }
}
