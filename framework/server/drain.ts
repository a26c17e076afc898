import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

/** How long kept-alive clients get to send their next request (answered with `Connection: close`) before idle connections are closed. */
export const DRAIN_GRACE_MS = 1000;

/**
 * A server's open connections and, for each, the response it is making, kept from node's public events: the
 * connections from 'connection' (plain HTTP) or 'secureConnection' (TLS) until they close or are upgraded
 * ('upgrade'), and each one's latest response from 'request' (HTTP/1.1 answers a connection's requests one at a
 * time). A connection is idle when it has no response, or its latest one has finished.
 */
export interface ConnectionTracker {
  /** The open connections with no request being answered. */
  idle(): Socket[];
}

/** Starts keeping track of `server`'s connections (before it listens: a connection accepted earlier is not seen). */
export function trackConnections(server: Server): ConnectionTracker {
  const open = new Set<Socket>();
  const responses = new WeakMap<Socket, ServerResponse>();
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    responses.set(req.socket, res);
  });
  // A connection upgraded to a WebSocket is the channels' to close (1001, going away), never an idle one to cut.
  // Listened to only beside the app's own listener: with none, node answers an upgrade request as a plain one.
  const forget = (_req: IncomingMessage, socket: Socket) => void open.delete(socket);
  if (server.listenerCount('upgrade') > 0) server.on('upgrade', forget);
  else {
    server.on('newListener', function upgradeListened(event: string | symbol) {
      if (event !== 'upgrade') return;
      server.off('newListener', upgradeListened);
      server.on('upgrade', forget);
    });
  }
  return {
    idle: () =>
      [...open].filter((socket) => {
        if (socket.destroyed) return false;
        const res = responses.get(socket);
        return !res || res.writableFinished;
      }),
  };
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
export async function drainAndClose(
  server: Server,
  connections: ConnectionTracker,
  close: () => Promise<void>,
  graceMs = Math.min(DRAIN_GRACE_MS, server.keepAliveTimeout || DRAIN_GRACE_MS),
): Promise<void> {
  if (typeof server.closeIdleConnections !== 'function') return drainHttp2(server, close, graceMs);
  const idleAtStart = connections.idle();
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
    const stillIdle = new Set(connections.idle());
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
