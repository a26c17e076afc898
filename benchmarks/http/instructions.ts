/**
 * Instructions per request, stryke against bare fastify: each server runs under valgrind's callgrind with
 * instrumentation switched on only around a burst of requests (after a warm-up burst of the same size), so
 * the count covers the request path and nothing else. User-space instructions do not depend on what else
 * the machine is doing, which makes this the steady companion of run.ts's throughput ratio on a shared or
 * noisy machine. (Kernel time, the socket writes, is the same for both and not counted: the throughput
 * ratio is closer to 1 than the instruction ratio.)
 *
 *   node build/benchmarks/http/instructions.js [--requests 12000] [--routes 1000] [--path /plaintext]
 *
 * `--path` measures that one path only (an A/B of one change costs a minute instead of three). The default
 * burst is 12,000 requests: with 4,000 the window still held a good part of the JIT's compilation (both
 * sides' counts were ~13k higher) and the ratio read about 0.02 low.
 */
import { join } from 'node:path';
import { instructionsPerRequest, valgrindAvailable } from '../callgrind-server';
import { arg } from '../support';

const REQUESTS = arg('requests', 12000);
const ROUTES = arg('routes', 1000);
const ONLY = process.argv.includes('--path') ? process.argv[process.argv.indexOf('--path') + 1] : undefined;
/** `--metrics`: the cost of `[metrics] enabled = true`, stryke against itself with metrics on. */
const KINDS = process.argv.includes('--metrics') ? ['stryke', 'stryke-metrics'] : ['fastify', 'stryke'];
const PATHS = ONLY ? [ONLY] : ['/plaintext', '/json', ...(ROUTES ? [`/r${Math.floor(ROUTES / 2)}/42`] : [])];

/** Instructions per request of one server kind on one path. */
function measure(kind: string, path: string, port: number): Promise<number> {
  return instructionsPerRequest({
    label: kind,
    script: join(__dirname, 'server.js'),
    args: [kind, String(port)],
    env: { ...process.env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64), BENCH_ROUTES: String(ROUTES) },
    port,
  }, path, REQUESTS);
}

async function main() {
  if (!valgrindAvailable()) return;
  console.log(`HTTP: user-space instructions per request under callgrind, ${REQUESTS} requests after as many to warm up, ${ROUTES} extra routes (node ${process.version})\n`);
  console.log(`| test | ${KINDS[0]} instructions/request | ${KINDS[1]} instructions/request | ${KINDS[0]} / ${KINDS[1]} |`);
  console.log('| --- | ---: | ---: | ---: |');
  let port = 38600;
  for (const path of PATHS) {
    // The two sides run at the same time (one per core): valgrind serialises each process's threads anyway.
    const [f, s] = await Promise.all([measure(KINDS[0]!, path, ++port), measure(KINDS[1]!, path, ++port)]);
    console.log(`| ${path} | ${Math.round(f)} | ${Math.round(s)} | ${(f / s).toFixed(3)}x |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
