/**
 * What Prometheus metrics cost: the benchmark app with `[metrics]` off and on, one server process each,
 * measured in alternating rounds with autocannon like run.ts (the load generator runs in this process).
 *
 *   node build/benchmarks/http/metrics.js [--seconds 5] [--rounds 4] [--connections 64] [--on stryke-tracing]
 *
 * `--on stryke-tracing` compares tracing instead: no provider against a recording one (recording-tracer.ts).
 */
import { once } from 'node:events';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { arg, freePort, pairedRatios } from '../support';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon = require('autocannon');

const SECONDS = arg('seconds', 5);
const ROUNDS = arg('rounds', 4);
const CONNECTIONS = arg('connections', 64);

function start(kind: string, port: number): Promise<ChildProcess> {
  return new Promise((resolveStart, reject) => {
    const child = fork(join(__dirname, 'server.js'), [kind, String(port)], {
      env: { ...process.env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64), BENCH_ROUTES: '0' },
    });
    child.once('message', () => resolveStart(child));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

async function rps(url: string, seconds: number): Promise<number> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.requests.average;
}

async function main() {
  const on = process.argv.includes('--on') ? process.argv[process.argv.indexOf('--on') + 1]! : 'stryke-metrics';
  const kinds = ['stryke', on] as const;
  console.log(`${on === 'stryke-metrics' ? 'Metrics' : on} off vs on: 1 server process each, ${CONNECTIONS} connections, ${ROUNDS} x ${SECONDS}s rounds (node ${process.version})\n`);
  console.log('| test | off req/s | on req/s | on/off (ratio of means) | median paired ratio (min-max) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const path of ['/plaintext', '/json']) {
    const ports: Record<string, number> = { stryke: await freePort(), [on]: await freePort() };
    const servers = { stryke: await start('stryke', ports.stryke!), [on]: await start(on, ports[on]!) };
    const results: Record<string, number[]> = { stryke: [], [on]: [] };
    try {
      for (const kind of kinds) await rps(`http://127.0.0.1:${ports[kind]}${path}`, 1);
      for (let round = 0; round < ROUNDS; round++) {
        for (const kind of round % 2 === 0 ? kinds : ([...kinds].reverse() as typeof kinds[number][])) {
          results[kind]!.push(await rps(`http://127.0.0.1:${ports[kind]}${path}`, SECONDS));
        }
      }
    } finally {
      for (const s of Object.values(servers)) s.kill();
      await Promise.all(Object.values(servers).map((s) => (s.exitCode === null && s.signalCode === null ? once(s, 'exit') : undefined)));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const off = results.stryke!;
    const onRps = results[on]!;
    const { median, min, max } = pairedRatios(onRps, off);
    console.log(`| ${path} | ${Math.round(mean(off))} | ${Math.round(mean(onRps))} | ${(mean(onRps) / mean(off)).toFixed(3)}x | ${median.toFixed(3)}x (${min.toFixed(2)}-${max.toFixed(2)}) |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
