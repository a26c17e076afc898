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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseConfig } from 'stryke/orm';
import { instructionsPerRequest, valgrindAvailable } from '../callgrind-server';
import { arg } from '../support';
import { seed, TESTS } from './run';

const REQUESTS = arg('requests', 12000);
const ONLY = process.argv.includes('--path') ? process.argv[process.argv.indexOf('--path') + 1] : undefined;

/** Instructions per request of one server kind on one path. */
function measure(kind: 'fastify' | 'stryke', path: string, port: number, config: DatabaseConfig): Promise<number> {
  return instructionsPerRequest({
    label: kind,
    script: join(__dirname, 'server.js'),
    args: [kind, String(port)],
    env: { ...process.env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64), BENCH_DB: JSON.stringify(config) },
    port,
  }, path, REQUESTS);
}

async function main() {
  if (!valgrindAvailable()) return;
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
