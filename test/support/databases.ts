import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DatabaseConfig } from 'stryke/orm';

/**
 * The databases the model and migration suites run on: SQLite always; PostgreSQL and MariaDB when
 * reachable. Under CI=true an unreachable server is a failure, never a skip.
 */
export interface Target {
  name: 'sqlite' | 'postgres' | 'mysql';
  /** A fresh, uniquely named database config for one test file. */
  config: DatabaseConfig;
  /** Why the suite is skipped here (undefined when it runs). */
  skip?: string;
}

const PG = { host: '127.0.0.1', port: 5432, username: 'postgres' };
const MY = { host: '127.0.0.1', port: 3306, username: 'root', password: '' };

async function reachable(kind: 'postgres' | 'mysql'): Promise<string | undefined> {
  try {
    if (kind === 'postgres') {
      const c = new Client({ host: PG.host, port: PG.port, user: PG.username, database: 'postgres', connectionTimeoutMillis: 10_000 });
      await c.connect();
      await c.end();
    } else {
      const mysql = await import('mysql2/promise');
      const c = await mysql.createConnection({ host: MY.host, port: MY.port, user: MY.username, password: MY.password, connectTimeout: 10_000 });
      await c.end();
    }
    return undefined;
  } catch (err) {
    const why = `${kind} at 127.0.0.1 is unreachable (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${why}: CI requires it`);
    return why;
  }
}

function uniqueName(label: string): string {
  return `stryke_t_${label}_${process.pid}_${randomBytes(3).toString('hex')}`.toLowerCase();
}

/** One target per database, each with its own database name (SQLite: a file under `dir`). */
export async function databaseTargets(label: string, dir: string): Promise<Target[]> {
  const name = uniqueName(label);
  const pgSkip = await reachable('postgres');
  const mySkip = await reachable('mysql');
  const targets: Target[] = [
    { name: 'sqlite', config: { adapter: 'sqlite', database: `${dir}/${name}.sqlite3` } },
    { name: 'postgres', config: { adapter: 'postgres', database: name, ...PG }, skip: pgSkip },
    { name: 'mysql', config: { adapter: 'mysql', database: name, ...MY }, skip: mySkip },
  ];
  for (const t of targets) if (t.skip) console.log(`# skipping ${t.name}: ${t.skip}`);
  return targets;
}
