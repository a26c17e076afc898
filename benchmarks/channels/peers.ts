/**
 * The servers the channels benchmark compares stryke with, each in its own process, each with the same HTTP
 * control endpoints as the stryke bench app: GET /mem (after GC), POST /burst?k=N (N broadcasts at once),
 * POST /pace?k=N&ms=M (one broadcast every M ms). Every broadcast carries the monotonic clock (`t`, ns),
 * comparable across processes on one machine, so clients measure delivery latency.
 *   node peers.js ws | socketio | net
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';

const kind = process.argv[2];

function memory(): Record<string, number> {
  for (let i = 0; i < 3; i++) (global as any).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, pid: process.pid };
}

function control(broadcast: (payload: string) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/mem') return send(memory());
    const k = Number(url.searchParams.get('k') ?? 1);
    const payload = (i: number) => JSON.stringify({ t: process.hrtime.bigint().toString(), i, pid: process.pid });
    if (url.pathname === '/burst') {
      for (let i = 0; i < k; i++) broadcast(payload(i));
      return send({ pid: process.pid });
    }
    if (url.pathname === '/pace') {
      const ms = Number(url.searchParams.get('ms') ?? 10);
      let i = 0;
      const timer = setInterval(() => {
        broadcast(payload(i++));
        if (i >= k) clearInterval(timer);
      }, ms);
      return send({ pid: process.pid });
    }
    res.writeHead(404).end();
  };
}

async function main() {
  if (kind === 'ws') {
    const { WebSocketServer } = await import('ws');
    const clients = new Set<import('ws').WebSocket>();
    const server = createServer(control((p) => {
      // The same event frame shape as stryke's, serialized once for every client.
      const frame = `{"type":"event","stream":"room","event":"m","data":${p}}`;
      for (const c of clients) c.send(frame);
    }));
    const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });
    wss.on('connection', (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
    });
    server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as any).port }));
  } else if (kind === 'socketio') {
    const { Server } = await import('socket.io');
    let io: import('socket.io').Server;
    const server = createServer(control((p) => io.to('room').emit('m', JSON.parse(p))));
    io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
    io.on('connection', (socket) => void socket.join('room'));
    server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as any).port }));
  } else if (kind === 'net') {
    // Node's own floor: a TCP socket held open, nothing else.
    const sockets = new Set<Socket>();
    const raw = createNetServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    const server = createServer(control(() => {}));
    raw.listen(0, '127.0.0.1', () => server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as any).port, rawPort: (raw.address() as any).port })));
  } else {
    throw new Error(`unknown server kind ${kind}`);
  }
}
void main();
