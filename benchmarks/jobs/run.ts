/**
 * Job queue throughput on the four backends, side by side in one run: stryke's SQL queue on SQLite and
 * MariaDB, BullMQ's own PostgreSQL backend, and BullMQ on Redis.
 *
 *   node build/benchmarks/jobs/run.js [--jobs 5000] [--concurrency 16] [--rounds 1] [--only sqlite,mysql]
 *
 * Per backend, on a fresh database: `add` (one job per call, 16 callers), `addBulk` (batches of 500),
 * processing already-queued jobs with one Worker, and enqueue-and-process (producers adding in batches
 * of 100 while the worker runs; the clock stops when the last job completes). Jobs do no work, so the
 * figures are the queue's own cost per job.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresBackend, createRedisBackend, Queue, Worker, type BackendFactory } from 'bullmq';
import { Client } from 'pg';
import { createMysqlBackend, createSqliteBackend } from 'stryke/jobs';

const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const JOBS = Number(flag('jobs', '5000'));
const CONCURRENCY = Number(flag('concurrency', '16'));
const ROUNDS = Number(flag('rounds', '1'));
const ONLY = flag('only', 'sqlite,mysql,postgres,redis').split(',');

interface Backend {
  name: string;
  factory: BackendFactory<any, any>;
  opts: Record<string, any>;
  drop(): Promise<void>;
}

const unique = () => `stryke_bench_${process.pid}_${randomBytes(3).toString('hex')}`;

async function backend(name: string): Promise<Backend> {
  const db = unique();
  switch (name) {
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'stryke-bench-'));
      return { name: 'SQLite (stryke)', factory: createSqliteBackend, opts: { connection: { filename: join(dir, 'jobs.sqlite3') } }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    }
    case 'mysql': {
      const mysql = await import('mysql2/promise');
      const admin = await mysql.createConnection({ host: '127.0.0.1', user: 'root', password: '' });
      await admin.query(`CREATE DATABASE ${db}`);
      return {
        name: 'MariaDB (stryke)', factory: createMysqlBackend, opts: { connection: { host: '127.0.0.1', user: 'root', password: '', database: db, connectionLimit: 20 } },
        drop: async () => {
          await admin.query(`DROP DATABASE ${db}`);
          await admin.end();
        },
      };
    }
    case 'postgres': {
      const admin = new Client({ host: '127.0.0.1', user: 'postgres', database: 'postgres' });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${db}`);
      return {
        name: 'PostgreSQL (BullMQ)', factory: createPostgresBackend, opts: { connection: { connectionString: `postgres://postgres@127.0.0.1/${db}`, migrate: true, max: 20 } },
        drop: async () => {
          await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
          await admin.end();
        },
      };
    }
    default: {
      const { Redis } = await import('ioredis');
      const prefix = db;
      return {
        name: 'Redis (BullMQ)', factory: createRedisBackend, opts: { connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null }, prefix },
        drop: async () => {
          const r = new Redis();
          const keys = await r.keys(`${prefix}:*`);
          if (keys.length) await r.del(...keys);
          r.disconnect();
        },
      };
    }
  }
}

const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
/** Worker 'error' events per backend (retried by BullMQ; reported beside the figures). */
const errors = new Map<string, number>();
/** Jobs that failed for good (a no-op job only fails through a backend error). */
const failures = new Map<string, number>();

async function processAll(b: Backend, queue: string, n: number, during?: () => Promise<void>): Promise<number> {
  let done = 0;
  const t0 = Date.now();
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(queue, async () => 1, { ...b.opts, concurrency: CONCURRENCY, removeOnComplete: { count: 1000 } } as any, b.factory as any);
    worker.on('error', (err) => {
      errors.set(b.name, (errors.get(b.name) ?? 0) + 1);
      if (process.env.BENCH_VERBOSE) console.error(err);
    });
    const finish = () => {
      if (++done === n) void worker.close().then(() => resolve());
    };
    worker.on('completed', finish);
    worker.on('failed', (job) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        failures.set(b.name, (failures.get(b.name) ?? 0) + 1);
        finish();
      }
    });
  });
  if (during) await during();
  await finished;
  return Date.now() - t0;
}

async function measure(b: Backend, round: number): Promise<Record<string, number>> {
  const q = (suffix: string) => new Queue(`bench-${round}-${suffix}`, b.opts as any, b.factory as any);
  const out: Record<string, number> = {};

  const single = q('single');
  await single.waitUntilReady();
  let t0 = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < JOBS) {
      next++;
      await single.add('job', { i: next });
    }
  }));
  out.add = rate(JOBS, Date.now() - t0);

  const bulk = q('bulk');
  await bulk.waitUntilReady();
  t0 = Date.now();
  for (let i = 0; i < JOBS; i += 500) await bulk.addBulk(Array.from({ length: Math.min(500, JOBS - i) }, (_, k) => ({ name: 'job', data: { i: i + k } })));
  out.addBulk = rate(JOBS, Date.now() - t0);

  out.process = rate(JOBS, await processAll(b, bulk.name, JOBS));

  const both = q('both');
  await both.waitUntilReady();
  out.enqueueAndProcess = rate(JOBS, await processAll(b, both.name, JOBS, async () => {
    for (let i = 0; i < JOBS; i += 100) await both.addBulk(Array.from({ length: Math.min(100, JOBS - i) }, (_, k) => ({ name: 'job', data: { i: i + k } })));
  }));
  await Promise.all([single.close(), bulk.close(), both.close()]);
  return out;
}

async function main(): Promise<void> {
  const rows: [string, Record<string, number>][] = [];
  for (const name of ONLY) {
    const b = await backend(name);
    try {
      const rounds: Record<string, number>[] = [];
      for (let r = 0; r < ROUNDS; r++) rounds.push(await measure(b, r));
      const median = (k: string) => rounds.map((x) => x[k]!).sort((a, c) => a - c)[Math.floor(rounds.length / 2)]!;
      const result = Object.fromEntries(Object.keys(rounds[0]!).map((k) => [k, median(k)]));
      rows.push([b.name, result]);
      console.error(`${b.name}: ${JSON.stringify(result)}`);
    } finally {
      await b.drop();
    }
  }
  console.log(`\n${JOBS} jobs, worker concurrency ${CONCURRENCY}, ${ROUNDS} round(s), jobs/s:\n`);
  console.log('| backend | add (16 callers) | addBulk (500s) | process | enqueue-and-process |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, r] of rows) console.log(`| ${name} | ${r.add} | ${r.addBulk} | ${r.process} | ${r.enqueueAndProcess} |`);
  for (const [name, n] of errors) console.log(`\n${name}: ${n} worker error event(s) (BENCH_VERBOSE=1 prints them)`);
  for (const [name, n] of failures) console.log(`${name}: ${n} job(s) failed (counted as finished)`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
