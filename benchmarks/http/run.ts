/**
 * Plaintext and JSON through a stryke controller against bare fastify, one server process each, measured
 * side by side in one run with autocannon (the load generator runs in this process, on the other core).
 * Rounds alternate between the two so drift in the machine affects both alike.
 *
 *   node build/benchmarks/http/run.js [--seconds 5] [--rounds 2] [--connections 64]
 */
import { once } from 'node:events';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { arg, pairedRatios } from '../support';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon = require('autocannon');

const SECONDS = arg('seconds', 5);
const ROUNDS = arg('rounds', 2);
const CONNECTIONS = arg('connections', 64);
const ROUTES = arg('routes', 1000);

function start(kind: string, port: number): Promise<ChildProcess> {
  return new Promise((resolveStart, reject) => {
    const child = fork(join(__dirname, 'server.js'), [kind, String(port)], {
      env: { ...process.env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64), BENCH_ROUTES: String(ROUTES) },
    });
    child.once('message', () => resolveStart(child));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
}

async function load(url: string, seconds: number): Promise<Result> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

async function main() {
  const ports = { fastify: 38101, stryke: 38102 };
  const results: Record<string, Record<string, Result[]>> = {};
  for (const path of ['/plaintext', '/json', ...(ROUTES ? [`/r${Math.floor(ROUTES / 2)}/42`] : [])]) {
    // A fresh pair of servers per path: a server that had already served a minute of alternating load measured
    // up to 20% slower on the next path, whichever side it was (seen on both), which no longer says anything
    // about the path itself.
    const servers = { fastify: await start('fastify', ports.fastify), stryke: await start('stryke', ports.stryke) };
    try {
      for (const kind of ['fastify', 'stryke'] as const) await load(`http://127.0.0.1:${ports[kind]}${path}`, 1); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        // Pairs of rounds, adjacent in time; which side goes first alternates, so drift favours neither.
        for (const kind of round % 2 === 0 ? (['fastify', 'stryke'] as const) : (['stryke', 'fastify'] as const)) {
          const r = await load(`http://127.0.0.1:${ports[kind]}${path}`, SECONDS);
          ((results[path] ??= {})[kind] ??= []).push(r);
        }
      }
    } finally {
      for (const s of Object.values(servers)) s.kill();
      await Promise.all(Object.values(servers).map((s) => (s.exitCode === null && s.signalCode === null ? once(s, 'exit') : undefined)));
    }
  }
  const mean = (rs: Result[], k: keyof Result) => rs.reduce((a, r) => a + r[k], 0) / rs.length;
  console.log(`HTTP: 1 server process each, ${CONNECTIONS} connections, ${ROUNDS} x ${SECONDS}s rounds, ${ROUTES} extra routes declared on both (node ${process.version})\n`);
  console.log('| test | bare fastify req/s | stryke req/s | ratio of means | median paired ratio (min-max) | fastify p50/p99 ms | stryke p50/p99 ms |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- | --- |');
  for (const [path, byKind] of Object.entries(results)) {
    const f = byKind.fastify!;
    const s = byKind.stryke!;
    const ratio = mean(s, 'rps') / mean(f, 'rps');
    const { median, min, max } = pairedRatios(s.map((r) => r.rps), f.map((r) => r.rps));
    const spread = `${min.toFixed(2)}-${max.toFixed(2)}`;
    console.log(`| ${path} | ${Math.round(mean(f, 'rps'))} | ${Math.round(mean(s, 'rps'))} | ${ratio.toFixed(3)}x | ${median.toFixed(3)}x (${spread}) | ${mean(f, 'p50').toFixed(1)} / ${mean(f, 'p99').toFixed(1)} | ${mean(s, 'p50').toFixed(1)} / ${mean(s, 'p99').toFixed(1)} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
