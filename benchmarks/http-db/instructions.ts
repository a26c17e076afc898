/**
 * Instructions per request on the database tests, stryke against bare fastify with the raw driver, on SQLite:
 * each server under valgrind's callgrind with instrumentation switched on only around a burst of requests
 * (after a warm-up burst of the same size), as benchmarks/http/instructions.ts does for plaintext and JSON.
 * The count does not move with the load on the machine, which the throughput of run.ts does; on SQLite it
 * holds the database's work too (in the server process), so it is the whole request but for the kernel's
 * part. PostgreSQL is left out: its server's work happens in other processes, which callgrind does not see.
 *
 *   node build/benchmarks/http-db/instructions.js [--requests 12000] [--path /db]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseConfig } from 'stryke/orm';
import { arg } from '../support';
import { seed, TESTS } from './run';

const REQUESTS = arg('requests', 12000);
const ONLY = process.argv.includes('--path') ? process.argv[process.argv.indexOf('--path') + 1] : undefined;

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
async function measure(kind: 'fastify' | 'stryke', path: string, port: number, config: DatabaseConfig): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'stryke-callgrind-'));
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${join(out, 'cg.%p')}`, process.execPath, join(__dirname, 'server.js'), kind, String(port)], {
    env: { ...process.env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64), BENCH_DB: JSON.stringify(config) },
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
    if (!process.env.KEEP_CALLGRIND) rmSync(out, { recursive: true, force: true });
  }
}

async function main() {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    console.log('valgrind is not installed (apt-get install valgrind): nothing measured.');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stryke-bench-http-db-'));
  const config: DatabaseConfig = { adapter: 'sqlite', database: join(dir, 'bench.sqlite3') };
  try {
    await seed(config);
    console.log(`HTTP + SQLite: user-space instructions per request under callgrind, ${REQUESTS} requests after as many to warm up (node ${process.version})\n`);
    console.log('| test | bare fastify instructions/request | stryke instructions/request | fastify / stryke |');
    console.log('| --- | ---: | ---: | ---: |');
    let port = 38700;
    for (const { path } of TESTS) {
      if (ONLY && !path.startsWith(ONLY)) continue;
      // The two sides run at the same time (one per core): valgrind serialises each process's threads anyway.
      const [f, s] = await Promise.all([measure('fastify', path, ++port, config), measure('stryke', path, ++port, config)]);
      console.log(`| ${path} | ${Math.round(f)} | ${Math.round(s)} | ${(f / s).toFixed(3)}x |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
