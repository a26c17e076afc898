/**
 * Channels, side by side in one run (docs/performance.md, "Channels"):
 *   1. idle connections on one worker: memory per connection for Node's floor (raw TCP), bare ws,
 *      socket.io and stryke;
 *   2. broadcast to one room: deliveries/s of a burst, and p50/p99 delivery latency of paced broadcasts,
 *      against bare ws and socket.io;
 *   3. two stryke workers with the clients split between them: latency on the broadcasting worker and on
 *      the other one (the cross-worker hop through the primary).
 *   node build/benchmarks/channels/run.js [--idle 10000] [--room 1000] [--burst 200] [--paced 200]
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import WebSocket from 'ws';
import { arg, BIN, freePort, REPO } from '../support';

const IDLE = arg('idle', 10_000);
const ROOM = arg('room', 1000);
const BURST = arg('burst', 200);
const PACED = arg('paced', 200);
/** Milliseconds between paced broadcasts: slow enough that latency is delivery, not a queue. */
const PACE_MS = arg('pace-ms', 100);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const APP_FILES: Record<string, string> = {
  'package.json': '{"name":"channels-bench","private":true}',
  'config/server.toml': 'log_level = "error"\n',
  'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/bench.sqlite3"\n',
  'config/channels.toml': 'messages_per_second = 1000\nburst = 1000\nmax_buffered = 16777216\n',
  'app/channels/room_channel.ts': `
import { Action, ActionChannel, Channel } from 'stryke';
@Channel('/room')
export class RoomChannel extends ActionChannel {
  onConnect() { this.join('room', { presence: false }); }
  @Action() pid() { return process.pid; }
}
`,
  'app/controllers/bench_controller.ts': `
import { ActionController, broadcastTo, Controller, Get } from 'stryke';
const payload = (i: number) => ({ t: process.hrtime.bigint().toString(), i, pid: process.pid });
@Controller('')
export class BenchController extends ActionController {
  @Get('/mem') mem() {
    for (let i = 0; i < 3; i++) (global as any).gc?.();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, pid: process.pid };
  }
  @Get('/burst') burst() {
    const k = Number(this.params.k ?? 1);
    for (let i = 0; i < k; i++) broadcastTo('room', 'm', payload(i));
    return { pid: process.pid };
  }
  @Get('/pace') pace() {
    const k = Number(this.params.k ?? 1);
    const ms = Number(this.params.ms ?? 10);
    let i = 0;
    const timer = setInterval(() => { broadcastTo('room', 'm', payload(i++)); if (i >= k) clearInterval(timer); }, ms);
    return { pid: process.pid };
  }
}
`,
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'node16', moduleResolution: 'node16', lib: ['ES2023'], types: ['node'],
      typeRoots: ['./node_modules/@types', './node_modules/stryke/node_modules/@types'], strict: true,
      experimentalDecorators: true, emitDecoratorMetadata: true, useDefineForClassFields: false, skipLibCheck: true,
      rootDir: '.', outDir: 'build',
    },
    include: ['app/**/*.ts', 'config/**/*.ts'],
  }),
};

function benchApp(): string {
  const root = mkdtempSync(join(tmpdir(), 'stryke-channels-bench-'));
  for (const [name, text] of Object.entries(APP_FILES)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(REPO, join(root, 'node_modules', 'stryke'), 'dir');
  const built = spawnSync(process.execPath, [BIN, 'build', '--root', root], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(built.stderr + built.stdout);
  return root;
}

interface Server {
  kind: string;
  port: number;
  rawPort?: number;
  child: ChildProcess;
}

async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(50);
  }
  throw new Error(`${url} never answered`);
}

async function startServer(kind: string, root: string, workers = 1): Promise<Server> {
  if (kind === 'stryke') {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'start', '--root', root, '--port', String(port), '--host', '127.0.0.1', '--workers', String(workers)], {
      env: { ...process.env, NODE_OPTIONS: '--expose-gc', STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64) }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitHttp(`http://127.0.0.1:${port}/mem`);
    return { kind, port, child };
  }
  const child = fork(join(__dirname, 'peers.js'), [kind], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { port, rawPort } = await new Promise<{ port: number; rawPort?: number }>((r) => child.once('message', (m) => r(m as any)));
  return { kind, port, rawPort, child };
}

async function stopServer(s: Server): Promise<void> {
  s.child.kill('SIGTERM');
  await new Promise((r) => s.child.once('exit', r));
}

/** One client: opened, and `onData(t, pid)` for every broadcast it receives. */
interface Client {
  close(): void;
  pid?: number;
}

async function openClient(s: Server, onData?: (t: string, senderPid: number) => void): Promise<Client> {
  if (s.kind === 'net') {
    const sock: Socket = netConnect(s.rawPort!, '127.0.0.1');
    await new Promise<void>((r, j) => sock.once('connect', () => r()).once('error', j));
    return { close: () => sock.destroy() };
  }
  if (s.kind === 'socketio') {
    const { io } = await import('socket.io-client');
    const sock = io(`http://127.0.0.1:${s.port}`, { transports: ['websocket'], reconnection: false, forceNew: true });
    if (onData) sock.on('m', (d: any) => onData(d.t, d.pid));
    await new Promise<void>((r, j) => sock.once('connect', () => r()).once('connect_error', j));
    return { close: () => sock.close() };
  }
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}${s.kind === 'stryke' ? '/room' : '/'}`, { perMessageDeflate: false });
  const client: Client = { close: () => ws.terminate() };
  let readyResolve: () => void = () => {};
  const ready = new Promise<void>((r) => (readyResolve = r));
  ws.on('message', (raw) => {
    const text = String(raw);
    if (text.startsWith('{"type":"event"')) {
      // Only the clock and the sender are read (the same for every server): a client process parses
      // 1,000 sockets' frames, and must not be the bottleneck it measures.
      if (onData) {
        const at = text.indexOf('"t":"') + 5;
        const p = text.indexOf('"pid":', at) + 6;
        onData(text.slice(at, text.indexOf('"', at)), Number(text.slice(p, text.indexOf('}', p))));
      }
    } else if (text.startsWith('{"type":"ready"')) {
      readyResolve();
    } else if (text.startsWith('{"type":"reply"')) {
      client.pid = JSON.parse(text).data;
      readyResolve();
    }
  });
  await new Promise<void>((r, j) => ws.once('open', () => r()).once('error', j));
  if (s.kind === 'stryke') {
    await ready;
    const gotPid = new Promise<void>((r) => (readyResolve = r));
    ws.send('{"action":"pid","ref":1}');
    await gotPid;
  }
  return client;
}

async function openMany(s: Server, n: number, onData?: (t: string, pid: number) => void): Promise<Client[]> {
  const out: Client[] = [];
  for (let i = 0; i < n; i += 200) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(200, n - i) }, () => openClient(s, onData)))));
  }
  return out;
}

async function mem(s: Server): Promise<{ rss: number; heapUsed: number; external: number }> {
  return (await fetch(`http://127.0.0.1:${s.port}/mem`)).json() as any;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function idleMemory(kind: string, root: string) {
  const s = await startServer(kind, root);
  try {
    await sleep(500);
    const before = await mem(s);
    const clients = await openMany(s, IDLE);
    await sleep(1000);
    const after = await mem(s);
    for (const c of clients) c.close();
    const per = (k: 'rss' | 'heapUsed' | 'external') => (after[k] - before[k]) / IDLE;
    return { kind, rssPerConn: per('rss'), heapPerConn: per('heapUsed'), externalPerConn: per('external') };
  } finally {
    await stopServer(s);
  }
}

async function broadcast(kind: string, root: string) {
  const s = await startServer(kind, root);
  try {
    let received = 0;
    let latencies: number[] = [];
    const onData = (t: string) => {
      received++;
      latencies.push(Number(process.hrtime.bigint() - BigInt(t)) / 1e6);
    };
    const clients = await openMany(s, ROOM, onData);
    await sleep(500);
    // Throughput: a burst of broadcasts, from the request until every client has every message.
    received = 0;
    const started = process.hrtime.bigint();
    await fetch(`http://127.0.0.1:${s.port}/burst?k=${BURST}`);
    while (received < BURST * ROOM) await sleep(1);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Latency: paced broadcasts (one every PACE_MS), each delivery timed.
    latencies = [];
    received = 0;
    await fetch(`http://127.0.0.1:${s.port}/pace?k=${PACED}&ms=${PACE_MS}`);
    while (received < PACED * ROOM) await sleep(5);
    const sorted = latencies.sort((a, b) => a - b);
    for (const c of clients) c.close();
    return { kind, deliveriesPerSec: (BURST * ROOM) / seconds, p50: pct(sorted, 50), p99: pct(sorted, 99) };
  } finally {
    await stopServer(s);
  }
}

async function crossWorker(root: string) {
  const s = await startServer('stryke', root, 2);
  try {
    const byClientPid: { pid: number; lat: number }[] = [];
    let received = 0;
    const clients: Client[] = [];
    const make = async () => {
      const c = await openClient(s, (t) => {
        received++;
        byClientPid.push({ pid: c.pid!, lat: Number(process.hrtime.bigint() - BigInt(t)) / 1e6 });
      });
      return c;
    };
    for (let i = 0; i < ROOM; i += 100) clients.push(...(await Promise.all(Array.from({ length: Math.min(100, ROOM - i) }, make))));
    const pids = new Set(clients.map((c) => c.pid));
    await sleep(500);
    const res = (await (await fetch(`http://127.0.0.1:${s.port}/pace?k=${PACED}&ms=${PACE_MS}`)).json()) as { pid: number };
    while (received < PACED * ROOM) await sleep(5);
    const local = byClientPid.filter((x) => x.pid === res.pid).map((x) => x.lat).sort((a, b) => a - b);
    const remote = byClientPid.filter((x) => x.pid !== res.pid).map((x) => x.lat).sort((a, b) => a - b);
    for (const c of clients) c.close();
    return {
      workers: pids.size, localClients: clients.filter((c) => c.pid === res.pid).length,
      local: { p50: pct(local, 50), p99: pct(local, 99) }, remote: { p50: pct(remote, 50), p99: pct(remote, 99) },
    };
  } finally {
    await stopServer(s);
  }
}

async function main() {
  const root = benchApp();
  const kb = (b: number) => `${(b / 1024).toFixed(2)} KB`;
  console.log(`Channels benchmark: ${IDLE} idle connections; a room of ${ROOM}; a burst of ${BURST}; ${PACED} paced broadcasts\n`);
  console.log('Idle connections, memory per connection (after GC; RSS / JS heap / external)');
  const idle: Record<string, Awaited<ReturnType<typeof idleMemory>>> = {};
  for (const kind of ['net', 'ws', 'socketio', 'stryke']) {
    idle[kind] = await idleMemory(kind, root);
    console.log(`  ${kind.padEnd(9)} ${kb(idle[kind]!.rssPerConn).padStart(10)}  ${kb(idle[kind]!.heapPerConn).padStart(10)}  ${kb(idle[kind]!.externalPerConn).padStart(10)}`);
  }
  console.log(`  stryke / ws (RSS): ${(idle.stryke!.rssPerConn / idle.ws!.rssPerConn).toFixed(2)}x; stryke / ws (heap): ${(idle.stryke!.heapPerConn / idle.ws!.heapPerConn).toFixed(2)}x\n`);
  console.log(`Broadcast to ${ROOM} clients in one room`);
  const b: Record<string, Awaited<ReturnType<typeof broadcast>>> = {};
  for (const kind of ['ws', 'socketio', 'stryke']) {
    b[kind] = await broadcast(kind, root);
    console.log(`  ${kind.padEnd(9)} ${Math.round(b[kind]!.deliveriesPerSec).toString().padStart(9)} deliveries/s   p50 ${b[kind]!.p50.toFixed(2)} ms   p99 ${b[kind]!.p99.toFixed(2)} ms`);
  }
  console.log(`  stryke / socket.io throughput: ${(b.stryke!.deliveriesPerSec / b.socketio!.deliveriesPerSec).toFixed(2)}x; stryke / ws p99: ${(b.stryke!.p99 / b.ws!.p99).toFixed(2)}x\n`);
  const x = await crossWorker(root);
  console.log(`Two stryke workers, ${ROOM} clients split ${x.localClients}/${ROOM - x.localClients}: paced broadcasts from one worker`);
  console.log(`  same worker   p50 ${x.local.p50.toFixed(2)} ms   p99 ${x.local.p99.toFixed(2)} ms`);
  console.log(`  other worker  p50 ${x.remote.p50.toFixed(2)} ms   p99 ${x.remote.p99.toFixed(2)} ms (through the primary)`);
  process.exit(0);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
