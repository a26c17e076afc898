/**
 * One worker boot, measured from inside: loads stryke with every `require` timed, boots the app at
 * argv[2] with createApp(), listens on a free port, answers GET argv[3] once, and prints one JSON line:
 * the milliseconds spent loading modules (by package: the outermost require of each package, its own
 * dependencies included), booting, listening and answering. Run by run.ts, one process per sample.
 */
import Module from 'node:module';
import { performance } from 'node:perf_hooks';

const packages: Record<string, number> = {};
let inPackage = 0;
const load = (Module as any)._load as (request: string, parent: unknown, isMain: boolean) => unknown;
(Module as any)._load = function timedLoad(request: string, parent: unknown, isMain: boolean) {
  const bare = !request.startsWith('.') && !request.startsWith('/') && !request.startsWith('node:');
  if (!bare || inPackage > 0) return load.call(this, request, parent, isMain);
  const name = request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0]!;
  if (name === 'stryke' || Module.builtinModules.includes(name)) return load.call(this, request, parent, isMain);
  inPackage++;
  const t = performance.now();
  try {
    return load.call(this, request, parent, isMain);
  } finally {
    inPackage--;
    packages[name] = (packages[name] ?? 0) + performance.now() - t;
  }
};

async function main() {
  const [root, path = '/posts'] = process.argv.slice(2);
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const { createApp } = require('../../framework') as typeof import('../../framework');
  const t1 = performance.now();
  const c1 = cpu();
  const loaded = { ...packages };
  // As `stryke server` boots a worker: its job workers start after the first response (in this process, before
  // the fetch below sees the body end, so firstResponseMs includes loading BullMQ; a separate client does not wait).
  const app = await createApp({ root: root!, env: 'development', jobWorkers: 'after-first-response' });
  const t2 = performance.now();
  const c2 = cpu();
  const address = await app.listen(0, '127.0.0.1');
  const t3 = performance.now();
  const res = await fetch(`${address.replace('0.0.0.0', '127.0.0.1')}${path}`);
  await res.text();
  const t4 = performance.now();
  const c4 = cpu();
  await app.close();
  const ms = (n: number) => Math.round(n * 10) / 10;
  console.log(JSON.stringify({
    status: res.status,
    processStartMs: ms(t0), // node's own start and this file, before stryke is required
    loadMs: ms(t1 - t0),
    bootMs: ms(t2 - t1),
    listenMs: ms(t3 - t2),
    firstResponseMs: ms(t4 - t3),
    totalMs: ms(t4),
    // CPU time (user + system) of this process: what the stages cost, whatever else the machine runs.
    cpu: { startMs: ms(c0), loadMs: ms(c1 - c0), bootMs: ms(c2 - c1), listenAndFirstResponseMs: ms(c4 - c2), totalMs: ms(c4) },
    /** Packages required while loading stryke, and later (by the boot: drivers, templates). */
    loadPackagesMs: Object.fromEntries(Object.entries(loaded).map(([k, v]) => [k, ms(v)])),
    bootPackagesMs: Object.fromEntries(Object.entries(packages).map(([k, v]) => [k, ms(v - (loaded[k] ?? 0))]).filter(([, v]) => (v as number) > 0)),
  }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
