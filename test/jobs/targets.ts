import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresBackend, createRedisBackend, type BackendFactory, type IQueueBackend } from 'bullmq';
import { Client } from 'pg';
import { createMysqlBackend, createSqliteBackend } from 'stryke/jobs';
import { PATIENCE } from '../support/cli';

/**
 * The four backends the jobs suites run on: SQLite always; MariaDB, PostgreSQL (BullMQ's own backend)
 * and Redis when reachable (under CI=true an unreachable server fails instead of skipping). Each
 * target has a fresh database (or Redis key prefix) that `cleanup` drops.
 */
export interface JobTarget {
  name: 'sqlite' | 'mysql' | 'postgres' | 'redis';
  factory: BackendFactory<IQueueBackend, any>;
  /** Spread into every Queue/Worker/QueueEvents option bag. */
  opts: Record<string, any>;
  /** What a child process needs to rebuild the target: `{ name, opts }` as JSON. */
  spec: string;
  skip?: string;
  cleanup(): Promise<void>;
}

const unique = (label: string) => `stryke_j_${label}_${process.pid}_${randomBytes(3).toString('hex')}`.toLowerCase();

function unreachable(kind: string, err: unknown): string {
  const why = `${kind} at 127.0.0.1 is unreachable (${(err as Error).message})`;
  if (process.env.CI === 'true') throw new Error(`${why}: CI requires it`);
  console.log(`# skipping ${kind}: ${why}`);
  return why;
}

export function factoryOf(name: JobTarget['name']): BackendFactory<IQueueBackend, any> {
  return { sqlite: createSqliteBackend, mysql: createMysqlBackend, postgres: createPostgresBackend, redis: createRedisBackend }[name] as any;
}

async function sqlite(label: string): Promise<JobTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-jobs-'));
  const opts = { connection: { filename: join(dir, `${unique(label)}.sqlite3`), pollInterval: 50 } };
  return { name: 'sqlite', factory: createSqliteBackend, opts, spec: JSON.stringify({ name: 'sqlite', opts }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function mysql(label: string): Promise<JobTarget> {
  const db = unique(label);
  const opts = { connection: { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: db, pollInterval: 50 } };
  const base: JobTarget = { name: 'mysql', factory: createMysqlBackend, opts, spec: JSON.stringify({ name: 'mysql', opts }), cleanup: async () => {} };
  const driver = await import('mysql2/promise');
  try {
    const c = await driver.createConnection({ host: '127.0.0.1', user: 'root', password: '', connectTimeout: 10_000 });
    await c.query(`CREATE DATABASE \`${db}\``);
    await c.end();
  } catch (err) {
    return { ...base, skip: unreachable('mysql', err) };
  }
  base.cleanup = async () => {
    const c = await driver.createConnection({ host: '127.0.0.1', user: 'root', password: '' });
    await c.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await c.end();
  };
  return base;
}

async function postgres(label: string): Promise<JobTarget> {
  const db = unique(label);
  const opts = { connection: { connectionString: `postgres://postgres@127.0.0.1:5432/${db}`, migrate: true } };
  const admin = () => new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 10_000 });
  const base: JobTarget = { name: 'postgres', factory: createPostgresBackend, opts, spec: JSON.stringify({ name: 'postgres', opts }), cleanup: async () => {} };
  try {
    const c = admin();
    await c.connect();
    await c.query(`CREATE DATABASE ${db}`);
    await c.end();
  } catch (err) {
    return { ...base, skip: unreachable('postgres', err) };
  }
  base.cleanup = async () => {
    const c = admin();
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await c.end();
  };
  return base;
}

async function redis(label: string): Promise<JobTarget> {
  const prefix = unique(label);
  const opts = { connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null }, prefix };
  const base: JobTarget = { name: 'redis', factory: createRedisBackend, opts, spec: JSON.stringify({ name: 'redis', opts }), cleanup: async () => {} };
  const { Redis } = await import('ioredis');
  const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    return { ...base, skip: unreachable('redis', err) };
  }
  base.cleanup = async () => {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    client.disconnect();
  };
  return base;
}

/** One backend's target with its own fresh database. */
export function jobTarget(name: JobTarget['name'], label: string): Promise<JobTarget> {
  return { sqlite, mysql, postgres, redis }[name](label);
}

/** Every backend, in a fixed order. */
export async function jobTargets(label: string): Promise<JobTarget[]> {
  return [await sqlite(label), await mysql(label), await postgres(label), await redis(label)];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Resolves when `check` holds, polling; rejects after `timeout` ms (times PATIENCE: a bound for a hang, which a
 * busy machine must not trip) with `what`.
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout * PATIENCE;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
