import type { WebSocket } from 'ws';
import type { Connection } from './connection';

/**
 * The connection behind a socket (listeners are shared functions, not closures per connection). A WeakMap
 * rather than a property on the socket: one more property on ws's WebSocket costs it a property array
 * (64 bytes per connection); an entry here costs less than half of that.
 */
const CONN = new WeakMap<WebSocket, Connection>();

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
  (c.socket as any)._socket?.uncork();
  c.checkBacklog();
}

/**
 * Makes `c` the socket's connection: its events go to `c`, and what the upgrade left on the socket that an idle
 * connection need not hold is let go.
 */
export function adoptSocket(socket: WebSocket, c: Connection): void {
  // Reading the address made node cache it on the socket as an object ({ address, family, port }); the
  // string is kept on the connection, and node reads it again if anything asks.
  const raw = (socket as any)._socket;
  if (raw && raw._peername) raw._peername = undefined;
  CONN.set(socket, c);
  // @fastify/websocket assigned a ServerResponse to the socket for routing: detached, the idle connection
  // no longer holds it (nor, through it, the upgrade request).
  const res = raw?._httpMessage;
  if (res && typeof res.detachSocket === 'function') res.detachSocket(raw);
  // The plugin's own error listener holds the request and reply: ours (the same handling) does not.
  socket.removeAllListeners('error');
  socket.on('error', onSocketError);
  socket.on('pong', onPong);
  socket.on('message', onMessage);
  socket.on('close', onSocketClose);
}
