import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Connection } from './connection';

/**
 * The connection behind a socket (listeners are shared functions, not closures per connection). A WeakMap
 * rather than a property on the socket: one more property on ws's WebSocket costs it a property array
 * (64 bytes per connection); an entry here costs less than half of that.
 */
const CONN = new WeakMap<WebSocket, Connection>();

/**
 * The ServerResponse of each upgrade request on its way to a channel (`reply.raw`, recorded by the route's
 * preValidation): once the socket is a WebSocket, it is detached from the socket, so an idle connection holds
 * neither it nor, through it, the upgrade request. Weak: a request refused before the upgrade leaves nothing.
 */
const RESPONSES = new WeakMap<IncomingMessage, ServerResponse>();

/** Records the upgrade's ServerResponse (fastify's `reply.raw`) for `adoptSocket`. */
export function noteUpgradeResponse(req: IncomingMessage, res: ServerResponse): void {
  RESPONSES.set(req, res);
}

function onPong(this: WebSocket): void {
  CONN.get(this)!.alive = true;
}
function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  CONN.get(this)!.onFrame(data, isBinary);
}
function onSocketClose(this: WebSocket): void {
  CONN.get(this)!.onClose();
}

function onSocketError(this: WebSocket, err: Error): void {
  const c = CONN.get(this)!;
  c.request.log.warn({ err, connection: c.id }, 'websocket error');
  // An oversize frame (1009) or a protocol error: ws has started the close handshake with the right code.
  if (this.readyState === 1) this.terminate();
}

/** Ends a corked turn: the frames written during it leave in one write, then the client's backlog is checked. */
export function uncork(c: Connection): void {
  c.corked = false;
  c.wire?.uncork();
  c.checkBacklog();
}

/**
 * The TCP socket under a WebSocket: the upgrade request's own (`req.raw.socket`, node's public
 * `message.socket`), which ws has taken over. Undefined for an injected upgrade (no TCP socket).
 */
export function wireOf(req: FastifyRequest): Socket | undefined {
  const s = req.raw.socket as Socket | null | undefined;
  return s && typeof s.cork === 'function' ? s : undefined;
}

/**
 * Makes `c` the socket's connection: its events go to `c`, and what the upgrade left on the socket that an idle
 * connection need not hold is let go.
 */
export function adoptSocket(socket: WebSocket, c: Connection, req: FastifyRequest): void {
  CONN.set(socket, c);
  // @fastify/websocket assigned a ServerResponse to the socket for routing (`res.assignSocket`): detached
  // (its public counterpart), the idle connection no longer holds it (nor, through it, the upgrade request).
  const res = RESPONSES.get(req.raw);
  if (res) {
    RESPONSES.delete(req.raw);
    if (c.wire && res.socket === c.wire) res.detachSocket(c.wire);
  }
  // The plugin's own error listener holds the request and reply: ours (the same handling) does not.
  socket.removeAllListeners('error');
  socket.on('error', onSocketError);
  socket.on('pong', onPong);
  socket.on('message', onMessage);
  socket.on('close', onSocketClose);
}
