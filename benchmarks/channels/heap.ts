/**
 * Where an idle connection's JS heap goes: a heap snapshot of the server before and after N idle
 * connections, the growth per connection grouped by what V8 calls each object (constructor, closure name,
 * "(array)", "(string)"...), for stryke and bare ws side by side. The clients live in a child process so
 * they do not show up in the server's heap.
 *   node build/benchmarks/channels/heap.js [--conns 2000] [--top 25]
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import WebSocket, { WebSocketServer } from 'ws';
import { arg } from '../support';
import { benchApp } from './app';

const CONNS = arg('conns', 2000);
const TOP = arg('top', 25);
const WHY = process.argv.includes('--why') ? process.argv[process.argv.indexOf('--why') + 1]!.split(',') : [];

function gc(): void {
  for (let i = 0; i < 4; i++) (global as any).gc?.();
}

/** Self sizes summed by `<type> <name>` over a heap snapshot. */
function byName(): Map<string, { size: number; count: number }> {
  gc();
  const chunks: string[] = [];
  const stream = v8.getHeapSnapshot();
  return new Promise<Map<string, { size: number; count: number }>>((resolve, reject) => {
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => {
      const snap = JSON.parse(chunks.join(''));
      const fields: string[] = snap.snapshot.meta.node_fields;
      const types: string[] = snap.snapshot.meta.node_types[0];
      const width = fields.length;
      const [ti, ni, si] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
      const out = new Map<string, { size: number; count: number }>();
      const nodes: number[] = snap.nodes;
      const keyOf = (i: number) => {
        const type = types[nodes[i + ti!]!]!;
        let name = /string|number/.test(type) ? '' : String(snap.strings[nodes[i + ni!]!]);
        if (name.length > 40) name = `${name.slice(0, 37)}...`;
        return `${type} ${name}`;
      };
      // What holds the nodes of the kinds asked about (--why "array ,string "): `<holder> .<edge>`, summed.
      if (WHY.length) {
        const edgeFields: string[] = snap.snapshot.meta.edge_fields;
        const edgeTypes: string[] = snap.snapshot.meta.edge_types[0];
        const ew = edgeFields.length;
        const ec = fields.indexOf('edge_count');
        const edges: number[] = snap.edges;
        let e = 0;
        for (let i = 0; i < nodes.length; i += width) {
          const owner = keyOf(i);
          for (let k = 0; k < nodes[i + ec]!; k++, e += ew) {
            const to = edges[e + 2]!;
            const target = keyOf(to);
            if (!WHY.includes(target)) continue;
            const et = edgeTypes[edges[e]!];
            const en = et === 'element' || et === 'hidden' ? `[${et}]` : String(snap.strings[edges[e + 1]!]).slice(0, 30);
            const key = `<- ${owner} .${en} -> ${target}`;
            const x = out.get(key) ?? { size: 0, count: 0 };
            x.size += nodes[to + si!]!;
            x.count++;
            out.set(key, x);
          }
        }
      }
      for (let i = 0; i < nodes.length; i += width) {
        const type = types[nodes[i + ti!]!]!;
        let name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '' : String(snap.strings[nodes[i + ni!]!]);
        if (type === 'number') name = '';
        if (name.length > 60) name = `${name.slice(0, 57)}...`;
        const key = `${type} ${name}`;
        const e = out.get(key) ?? { size: 0, count: 0 };
        e.size += nodes[i + si!]!;
        e.count++;
        out.set(key, e);
      }
      resolve(out);
    });
  }) as unknown as Map<string, { size: number; count: number }>;
}

async function clients(url: string, n: number): Promise<() => void> {
  const child = fork(__filename, ['--client', url, String(n)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise((r) => child.once('message', r));
  return () => child.kill();
}

async function clientMain(url: string, n: number): Promise<void> {
  const open: WebSocket[] = [];
  for (let i = 0; i < n; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      open.push(ws);
      ws.once('message', () => resolve());
      ws.once('open', () => (url.endsWith('/room') ? undefined : resolve()));
      ws.once('error', reject);
    })));
  }
  process.send!('ready');
}

async function measure(kind: string, root: string) {
  let url: string;
  let close: () => Promise<void>;
  if (kind === 'ws') {
    const server = createServer();
    const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });
    const set = new Set<WebSocket>();
    wss.on('connection', (ws) => {
      set.add(ws);
      ws.on('close', () => set.delete(ws));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    close = async () => {
      for (const ws of set) ws.terminate();
      await new Promise((r) => server.close(r));
    };
  } else {
    process.env.STRYKE_ENV = 'production';
    process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
    const { createApp } = require(require.resolve('stryke', { paths: [root] })) as typeof import('stryke');
    const app = await createApp({ root, logger: false });
    await app.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${(app.server.server.address() as AddressInfo).port}/room`;
    close = () => app.close();
  }
  // Warm up (first connections compile code and fill caches), then measure.
  const warm = await clients(url, 50);
  const before = await byName();
  const stop = await clients(url, CONNS);
  await new Promise((r) => setTimeout(r, 500));
  const after = await byName();
  stop();
  warm();
  await close();
  const diff: { key: string; perConn: number; countPerConn: number }[] = [];
  let total = 0;
  for (const [key, a] of after) {
    const b = before.get(key) ?? { size: 0, count: 0 };
    const d = (a.size - b.size) / CONNS;
    total += d;
    if (Math.abs(d) >= 1) diff.push({ key, perConn: d, countPerConn: (a.count - b.count) / CONNS });
  }
  diff.sort((x, y) => y.perConn - x.perConn);
  return { kind, total, diff };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--client') return clientMain(process.argv[3]!, Number(process.argv[4]));
  const kind = process.argv[2] === '--kind' ? process.argv[3]! : undefined;
  if (!kind) {
    // Each kind in a process of its own (one app's heap must not hold the other's).
    const root = benchApp();
    for (const k of ['ws', 'stryke']) {
      const child = fork(__filename, ['--kind', k, root, ...process.argv.slice(2)], { execArgv: ['--expose-gc'], stdio: 'inherit' });
      await new Promise((r) => child.once('exit', r));
    }
    return;
  }
  const r = await measure(kind, process.argv[4]!);
  console.log(`${kind}: ${(r.total).toFixed(0)} bytes of JS heap per idle connection (snapshot self sizes, ${CONNS} connections)`);
  for (const d of r.diff.slice(0, TOP)) console.log(`  ${d.perConn.toFixed(1).padStart(8)} B  ${d.countPerConn.toFixed(2).padStart(5)}/conn  ${d.key}`);
  process.exit(0);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
