/**
 * Channels, side by side in one run (docs/performance.md, "Channels"):
 *   1. idle connections on one worker: memory per connection for Node's floor (raw TCP), bare ws,
 *      socket.io and stryke;
 *   2. broadcast to one room: deliveries/s of a burst, and p50/p99 delivery latency of paced broadcasts,
 *      against bare ws and socket.io;
 *   3. two stryke workers with the clients split between them: latency on the broadcasting worker and on
 *      the other one (the cross-worker hop through the primary).
 *   node build/benchmarks/channels/run.js [--idle 10000] [--room 1000] [--burst 200] [--paced 200] [--only idle|broadcast|cross] [--kinds ws,stryke]
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { arg, BIN, freePort } from '../support';
import { benchApp } from './app';

const IDLE = arg('idle', 10_000);
const ROOM = arg('room', 1000);
const BURST = arg('burst', 200);
const PACED = arg('paced', 200);
/** Milliseconds between paced broadcasts: slow enough that latency is delivery, not a queue. */
const PACE_MS = arg('pace-ms', 100);
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
/** The servers compared (default all): `--kinds ws,stryke` leaves socket.io out (its clients can stall the run on a loaded machine). */
const KINDS = process.argv.includes('--kinds') ? process.argv[process.argv.indexOf('--kinds') + 1]!.split(',') : undefined;
const kinds = (all: string[]) => all.filter((k) => !KINDS || KINDS.includes(k));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/**
 * Two workers, the clients split between them: one worker broadcasts (a burst, then paced ones); the
 * clients on it are the same-worker figure, the clients on the other worker get each message through the
 * primary (worker -> primary -> worker over cluster IPC). Both groups are measured in the same run, on the
 * same broadcasts, so the difference is the hop, not the machine's load of the moment. `ROUNDS` rounds.
 */
/** CPU time (user + system) of a process so far, in ms, from /proc (10 ms ticks: use bursts of thousands). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function crossWorker(root: string) {
  const ROUNDS = arg('rounds', 3);
  const s = await startServer('stryke', root, 2);
  try {
    // Both workers listening before the clients connect (the second can start a while after the first).
    const seen = new Set<number>();
    for (let i = 0; i < 400 && seen.size < 2; i++) {
      seen.add(((await (await fetch(`http://127.0.0.1:${s.port}/mem`, { headers: { connection: 'close' } })).json()) as { pid: number }).pid);
      if (seen.size < 2) await sleep(50);
    }
    let lat: { pid: number; lat: number }[] = [];
    const done = new Map<number, { count: number; at: bigint }>();
    const clients: Client[] = [];
    const make = async () => {
      const c = await openClient(s, (t) => {
        const now = process.hrtime.bigint();
        lat.push({ pid: c.pid!, lat: Number(now - BigInt(t)) / 1e6 });
        const d = done.get(c.pid!) ?? { count: 0, at: 0n };
        d.count++;
        d.at = now;
        done.set(c.pid!, d);
      });
      return c;
    };
    for (let i = 0; i < ROOM; i += 100) clients.push(...(await Promise.all(Array.from({ length: Math.min(100, ROOM - i) }, make))));
    const pids = [...new Set(clients.map((c) => c.pid!))];
    if (pids.length !== 2) throw new Error(`the clients reached ${pids.length} worker(s), not 2`);
    const countOn = (pid: number) => clients.filter((c) => c.pid === pid).length;
    await sleep(500);
    const rounds: { sender: number; relayUs: number; local: { perSec: number; p50: number; p99: number }; remote: { perSec: number; p50: number; p99: number } }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Throughput: a burst from one worker, timed until each group has every message.
      done.clear();
      lat = [];
      const cpuBefore = cpuMs(s.child.pid!);
      const started = process.hrtime.bigint();
      const { pid: sender } = (await (await fetch(`http://127.0.0.1:${s.port}/burst?k=${BURST}`)).json()) as { pid: number };
      const other = pids.find((p) => p !== sender)!;
      const total = (pid: number) => BURST * countOn(pid);
      while ((done.get(sender)?.count ?? 0) < total(sender) || (done.get(other)?.count ?? 0) < total(other)) await sleep(1);
      // Broadcasts per second until the group's last client had the whole burst (not deliveries: the groups differ in size).
      const perSec = (pid: number) => BURST / (Number(done.get(pid)!.at - started) / 1e9);
      // The primary's CPU for the burst (it does nothing else meanwhile): what relaying one broadcast costs it.
      const relayUs = ((cpuMs(s.child.pid!) - cpuBefore) * 1000) / BURST;
      const localPerSec = perSec(sender);
      const remotePerSec = perSec(other);
      // Latency: paced broadcasts from the worker the request lands on.
      lat = [];
      done.clear();
      const { pid: pacer } = (await (await fetch(`http://127.0.0.1:${s.port}/pace?k=${PACED}&ms=${PACE_MS}`)).json()) as { pid: number };
      while (lat.length < PACED * ROOM) await sleep(5);
      const local = lat.filter((x) => x.pid === pacer).map((x) => x.lat).sort((a, b) => a - b);
      const remote = lat.filter((x) => x.pid !== pacer).map((x) => x.lat).sort((a, b) => a - b);
      const [lp, rp] = pacer === sender ? [localPerSec, remotePerSec] : [remotePerSec, localPerSec];
      rounds.push({ sender: pacer, relayUs, local: { perSec: lp, p50: pct(local, 50), p99: pct(local, 99) }, remote: { perSec: rp, p50: pct(remote, 50), p99: pct(remote, 99) } });
    }
    for (const c of clients) c.close();
    return { split: pids.map(countOn), rounds };
  } finally {
    await stopServer(s);
  }
}

async function main() {
  const root = benchApp();
  const kb = (b: number) => `${(b / 1024).toFixed(2)} KB`;
  console.log(`Channels benchmark: ${IDLE} idle connections; a room of ${ROOM}; a burst of ${BURST}; ${PACED} paced broadcasts\n`);
  if (!ONLY || ONLY === 'idle') {
    console.log('Idle connections, memory per connection (after GC; RSS / JS heap / external)');
    const idle: Record<string, Awaited<ReturnType<typeof idleMemory>>> = {};
    for (const kind of kinds(['net', 'ws', 'socketio', 'stryke'])) {
      idle[kind] = await idleMemory(kind, root);
      console.log(`  ${kind.padEnd(9)} ${kb(idle[kind]!.rssPerConn).padStart(10)}  ${kb(idle[kind]!.heapPerConn).padStart(10)}  ${kb(idle[kind]!.externalPerConn).padStart(10)}`);
    }
    if (idle.stryke && idle.ws) console.log(`  stryke / ws (RSS): ${(idle.stryke.rssPerConn / idle.ws.rssPerConn).toFixed(2)}x; stryke / ws (heap): ${(idle.stryke.heapPerConn / idle.ws.heapPerConn).toFixed(2)}x\n`);
  }
  if (!ONLY || ONLY === 'broadcast') {
    console.log(`Broadcast to ${ROOM} clients in one room`);
    const b: Record<string, Awaited<ReturnType<typeof broadcast>>> = {};
    for (const kind of kinds(['ws', 'socketio', 'stryke'])) {
      b[kind] = await broadcast(kind, root);
      console.log(`  ${kind.padEnd(9)} ${Math.round(b[kind]!.deliveriesPerSec).toString().padStart(9)} deliveries/s   p50 ${b[kind]!.p50.toFixed(2)} ms   p99 ${b[kind]!.p99.toFixed(2)} ms`);
    }
    if (b.stryke && b.socketio) console.log(`  stryke / socket.io throughput: ${(b.stryke.deliveriesPerSec / b.socketio.deliveriesPerSec).toFixed(2)}x`);
    if (b.stryke && b.ws) console.log(`  stryke / ws p99: ${(b.stryke.p99 / b.ws.p99).toFixed(2)}x; throughput ${(b.stryke.deliveriesPerSec / b.ws.deliveriesPerSec).toFixed(2)}x\n`);
  }
  if (!ONLY || ONLY === 'cross') {
    const x = await crossWorker(root);
    console.log(`Two stryke workers, ${ROOM} clients split ${x.split.join('/')}: a burst of ${BURST} and ${PACED} paced broadcasts from one worker, per round`);
    for (const [i, r] of x.rounds.entries()) {
      const f = (g: typeof r.local) => `${Math.round(g.perSec).toString().padStart(8)} broadcasts/s   p50 ${g.p50.toFixed(2).padStart(6)} ms   p99 ${g.p99.toFixed(2).padStart(6)} ms`;
      console.log(`  round ${i + 1} same worker  ${f(r.local)}`);
      console.log(`  round ${i + 1} other worker ${f(r.remote)}   hop: p50 +${(r.remote.p50 - r.local.p50).toFixed(2)} ms, throughput ${(r.remote.perSec / r.local.perSec).toFixed(2)}x; primary CPU ${r.relayUs.toFixed(1)} µs per broadcast relayed`);
    }
  }
  process.exit(0);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
