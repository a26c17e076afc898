/**
 * Instructions per request, stryke as users run it against bare fastify: each server runs under valgrind's
 * callgrind with instrumentation switched on only around a burst of requests (after a warm-up burst of the
 * same size), so the count covers the request path and nothing else. User-space instructions do not depend
 * on what else the machine is doing, which makes this the steady companion of run.ts's throughput ratio on a
 * shared or noisy machine. (Kernel time, the socket writes, is the same for both and not counted: the
 * throughput ratio is closer to 1 than the instruction ratio.)
 *
 *   node build/benchmarks/http/instructions.js [--requests 12000] [--routes 1000] [--path /plaintext] [--kinds a,b]
 *
 * The kinds (default: all four):
 * - `fastify`: bare fastify, logger off (the target's peer);
 * - `fastify-pino`: bare fastify with its pino logger at `warn`, the level stryke's production default uses;
 * - `start`: the headline, stryke as production runs it: `stryke build` of benchmarks/http/app, then
 *   `stryke start --workers 1` from the build (the default logger and config, STRYKE_ENV=production); the
 *   count is the worker process's;
 * - `inprocess`: `createApp({ logger: false })` in one process, the explanatory second line;
 * - `stryke-metrics`: `inprocess` with `[metrics] enabled` (not in the default set: `--kinds inprocess,stryke-metrics`
 *   gives the metrics' cost);
 * - `stryke-tracing`: `inprocess` with a recording TracerProvider registered (recording-tracer.ts), for the cost
 *   of tracing when an app registers one.
 * - `start-metrics`: `start` with `[metrics] enabled` (through the environment; the primary serves the port);
 *   `--kinds start,start-metrics` gives the metrics' cost on the production path;
 * - `start-tracing`: `start` with the recording provider registered before boot in both processes
 *   (`NODE_OPTIONS=--require register-recording-tracer.js`, as an app registers its SDK).
 *
 * `--main-thread` counts the server's main thread only (see callgrind-server.ts: V8's background threads
 * follow the wall clock, which a loaded machine stretches). `--path` measures that one path only; `--port N` numbers the servers' ports from N+1 (two runs side by side). The default burst is 12,000 requests: with 4,000 the window still held
 * a good part of the JIT's compilation (both sides' counts were ~13k higher) and the ratio read about 0.02 low.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { instructionsPerRequest, valgrindAvailable } from '../callgrind-server';
import { buildForProduction, startArgs } from '../production';
import { arg, REPO } from '../support';

const REQUESTS = arg('requests', 12000);
const ROUTES = arg('routes', 1000);
const option = (name: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : undefined);
const ONLY = option('path');
const PATHS = ONLY ? [ONLY] : ['/plaintext', '/json', ...(ROUTES ? [`/r${Math.floor(ROUTES / 2)}/42`] : [])];
type Kind = 'fastify' | 'fastify-pino' | 'start' | 'start-metrics' | 'start-tracing' | 'inprocess' | 'stryke-metrics' | 'stryke-tracing';
const KINDS = (option('kinds')?.split(',') ?? ['fastify', 'fastify-pino', 'start', 'inprocess']) as Kind[];

const MAIN_THREAD = process.argv.includes('--main-thread');
const ENV = { ...process.env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64), BENCH_ROUTES: String(ROUTES) };

/** Instructions per request of one server kind on one path. */
function measure(kind: Kind, path: string, port: number, built: string | undefined): Promise<number> {
  if (kind.startsWith('start')) {
    const [script, ...args] = startArgs(built!, port);
    const env: NodeJS.ProcessEnv = { ...ENV };
    if (kind === 'start-metrics') Object.assign(env, { STRYKE_SERVER__METRICS__ENABLED: 'true', STRYKE_SERVER__METRICS__PORT: '0' });
    if (kind === 'start-tracing') env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'register-recording-tracer.js')}`.trim();
    return instructionsPerRequest({ label: `stryke ${kind}`, script: script!, args, env, port, worker: { readyPath: path }, mainThread: MAIN_THREAD }, path, REQUESTS);
  }
  return instructionsPerRequest({
    label: kind,
    script: join(__dirname, 'server.js'),
    args: [kind === 'inprocess' ? 'stryke' : kind, String(port)],
    env: ENV,
    port,
    mainThread: MAIN_THREAD,
  }, path, REQUESTS);
}

async function main() {
  if (!valgrindAvailable()) return;
  const built = KINDS.some((k) => k.startsWith('start')) ? buildForProduction(join(REPO, 'benchmarks', 'http', 'app'), ENV) : undefined;
  try {
    console.log(`HTTP: user-space instructions per request under callgrind, ${REQUESTS} requests after as many to warm up, ${ROUTES} extra routes (node ${process.version})\n`);
    const ratio = (kind: Kind) => (kind === 'fastify' ? '' : ` | fastify / ${kind}`);
    console.log(`| test | ${KINDS.join(' | ')}${KINDS.map(ratio).join('')} |`);
    console.log(`| --- |${KINDS.map(() => ' ---: |').join('')}${KINDS.filter((k) => k !== 'fastify').map(() => ' ---: |').join('')}`);
    let port = arg('port', 38600);
    for (const path of PATHS) {
      // Two at a time (one per core): valgrind serialises each process's threads anyway.
      const counts: number[] = [];
      for (let i = 0; i < KINDS.length; i += 2) {
        counts.push(...(await Promise.all(KINDS.slice(i, i + 2).map((k) => measure(k, path, ++port, built)))));
      }
      const f = counts[KINDS.indexOf('fastify')];
      const ratios = KINDS.map((k, i) => (k === 'fastify' || f === undefined ? '' : ` | ${(f / counts[i]!).toFixed(3)}x`)).join('');
      console.log(`| ${path} | ${counts.map((c) => Math.round(c)).join(' | ')}${ratios} |`);
    }
  } finally {
    if (built) rmSync(dirname(built), { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
