import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long kept-alive clients get to send their next request (answered with `Connection: close`) before idle connections are closed. */
export const DRAIN_GRACE_MS = 1000;

/**
 * The sockets with no request being read or answered: node's connections list counts a connection idle once
 * a request has been read, so one whose response is still being made is left out here, as node's own
 * closeIdleConnections() does.
 */
function idleSockets(server: Server): Socket[] {
  const key = Object.getOwnPropertySymbols(server).find((s) => s.description === 'http.server.connections');
  const list = key ? (server as any)[key] : undefined;
  if (!list || typeof list.idle !== 'function') return [];
  return (list.idle() as Array<{ socket?: Socket }>)
    .map((p) => p.socket)
    .filter((s): s is Socket => !!s && !s.destroyed && !((s as any)._httpMessage && !(s as any)._httpMessage.finished));
}

/**
 * Closes a worker's app without failing a request on a kept-alive connection.
 *
 * Node's `server.close()` destroys every idle keep-alive connection at once, and a client may be sending its
 * next request on one at that very moment: it sees ECONNRESET, with nothing it could have done. So here the
 * app stops taking connections (the other workers accept from the shared socket) and keeps the open ones:
 * fastify answers every request that arrives on them with `Connection: close`, so their clients leave
 * cleanly. A connection is closed only once it has been idle for the whole grace period: those idle when the
 * drain starts and still untouched after it, and, through a keep-alive timeout shortened to the grace period,
 * those whose request in flight finishes later. A connection that just went idle is never closed under a
 * client that is sending on it.
 */
export async function drainAndClose(server: Server, close: () => Promise<void>, graceMs = Math.min(DRAIN_GRACE_MS, server.keepAliveTimeout || DRAIN_GRACE_MS)): Promise<void> {
  if (typeof server.closeIdleConnections !== 'function') return drainHttp2(server, close, graceMs);
  const idleAtStart = idleSockets(server);
  const usedSince = new WeakSet<Socket>();
  const markUsed = (req: { socket: Socket }) => usedSince.add(req.socket);
  server.on('request', markUsed);
  // Responses that finish from now on leave their connection open for the grace period only (node sets the
  // socket's timeout from this when a response finishes), not the usual keep-alive timeout.
  server.keepAliveTimeout = graceMs;
  // Only this server instance, and only from now on: node's close() calls it once, at once.
  server.closeIdleConnections = () => {};
  const closed = close();
  // TLS with `http2 = true`: node tracks the HTTP/1.1 connections on that port as above (allowHTTP1), and each
  // HTTP/2 session is told to go (GOAWAY: its streams in flight finish, the client opens new ones elsewhere);
  // an idle session left open would hold the close until fastify's session timeout or the shutdown timeout.
  closeHttp2Sessions(server);
  const grace = setTimeout(() => {
    const stillIdle = new Set(idleSockets(server));
    for (const socket of idleAtStart) if (stillIdle.has(socket) && !usedSince.has(socket)) socket.destroy();
  }, graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(grace);
    server.off('request', markUsed);
  }
}

function closeHttp2Sessions(server: Server): void {
  const sessions = (server as any)[Symbol.for('stryke.http2Sessions')] as Set<{ close(): void }> | undefined;
  for (const session of sessions ?? []) session.close();
}

/**
 * An HTTP/2 listener on a node that keeps no list of its HTTP/1.1 connections (no `closeIdleConnections`):
 * sessions are closed gracefully; HTTP/1.1 connections leave after their next response or the grace period idle.
 */
async function drainHttp2(server: Server, close: () => Promise<void>, graceMs: number): Promise<void> {
  server.keepAliveTimeout = graceMs;
  const closed = close();
  closeHttp2Sessions(server);
  await closed;
}
