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
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg } from '../support';

const REQUESTS = arg('requests', 12000);
const ROUTES = arg('routes', 1000);
const ONLY = process.argv.includes('--path') ? process.argv[process.argv.indexOf('--path') + 1] : undefined;
const PATHS = ONLY ? [ONLY] : ['/plaintext', '/json', ...(ROUTES ? [`/r${Math.floor(ROUTES / 2)}/42`] : [])];

function get(port: number, path: string, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${path} answered ${res.statusCode}`));
      res.resume().on('end', resolve);
    }).on('error', reject);
  });
}

async function burst(port: number, path: string, n: number, agent: http.Agent): Promise<void> {
  let sent = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (sent++ < n) await get(port, path, agent);
  }));
}

/** Instructions per request of one server kind on one path. */
async function measure(kind: 'fastify' | 'stryke', path: string, port: number): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'stryke-callgrind-'));
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${join(out, 'cg.%p')}`, process.execPath, join(__dirname, 'server.js'), kind, String(port)], {
    env: { ...process.env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64), BENCH_ROUTES: String(ROUTES) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}: ${stderr.slice(-2000)}`)));
    });
    await burst(port, path, REQUESTS, agent); // warm-up: the JIT settles
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    await burst(port, path, REQUESTS, agent);
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    const dump = readdirSync(out).find((f) => /\.\d+$/.test(f) && f !== `cg.${child.pid}`);
    const totals = /^totals:\s+(\d+)/m.exec(readFileSync(join(out, dump!), 'utf8'));
    if (!totals) throw new Error(`no callgrind totals in ${out}`);
    return Number(totals[1]) / REQUESTS;
  } finally {
    agent.destroy();
    child.kill('SIGKILL');
  }
}

async function main() {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    console.log('valgrind is not installed (apt-get install valgrind): nothing measured.');
    return;
  }
  console.log(`HTTP: user-space instructions per request under callgrind, ${REQUESTS} requests after as many to warm up, ${ROUTES} extra routes (node ${process.version})\n`);
  console.log('| test | bare fastify instructions/request | stryke instructions/request | fastify / stryke |');
  console.log('| --- | ---: | ---: | ---: |');
  let port = 38600;
  for (const path of PATHS) {
    // The two sides run at the same time (one per core): valgrind serialises each process's threads anyway.
    const [f, s] = await Promise.all([measure('fastify', path, ++port), measure('stryke', path, ++port)]);
    console.log(`| ${path} | ${Math.round(f)} | ${Math.round(s)} | ${(f / s).toFixed(3)}x |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
