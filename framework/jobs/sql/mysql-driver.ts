import type { EventEmitter } from 'node:events';
import type { Pool, PoolConnection, PoolOptions } from 'mysql2/promise';
import { busFor, sleep, type Exec, type SqlDriver } from './driver';
import { schemaStatements } from './schema';

export interface MysqlConnectionOptions {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database: string;
  /** Pool size per process (default 10). */
  connectionLimit?: number;
  /** How often an idle worker or QueueEvents looks for work written by other processes, in ms (default 100). */
  pollInterval?: number;
}

/** Deadlock, lock wait timeout: the transaction is rolled back and run again. */
const RETRYABLE = new Set([1213, 1205]);
const MAX_RETRIES = 20;

/**
 * A mysql2 pool per server and database per process (refcounted), READ COMMITTED so claims lock only
 * the rows they take. Claims use `FOR UPDATE SKIP LOCKED` (MariaDB 10.6+, MySQL 8+).
 */
class MysqlDriver implements SqlDriver {
  readonly dialect = 'mysql' as const;
  readonly claimLock = ' FOR UPDATE SKIP LOCKED';
  readonly insertIgnore = 'INSERT IGNORE';
  readonly idsFromSeq = true;
  readonly bus: EventEmitter;
  private readonly pool: Pool;
  private readyPromise?: Promise<void>;
  refs = 0;

  constructor(readonly key: string, options: MysqlConnectionOptions) {
    const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
    const { pollInterval: _p, ...rest } = options;
    const pool: PoolOptions = { host: '127.0.0.1', port: 3306, user: 'root', connectionLimit: 10, ...rest, supportBigNumbers: true, bigNumberStrings: false, timezone: 'Z' };
    this.pool = mysql.createPool(pool);
    this.pool.on('connection', (conn) => {
      (conn as unknown as { query(sql: string): void }).query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    });
    this.bus = busFor(key);
  }

  private execOn(conn: Pool | PoolConnection): Exec {
    return {
      all: async <T>(sql: string, params?: unknown[]) => {
        const [rows] = await conn.query(sql, params ?? []);
        return rows as T[];
      },
      run: async (sql: string, params?: unknown[]) => {
        const [res] = await conn.query(sql, params ?? []);
        return (res as { affectedRows?: number }).affectedRows ?? 0;
      },
      insert: async (sql: string, params?: unknown[]) => {
        const [res] = await conn.query(sql, params ?? []);
        return Number((res as { insertId?: number }).insertId ?? 0);
      },
    };
  }

  all<T = any>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.execOn(this.pool).all<T>(sql, params);
  }

  run(sql: string, params?: unknown[]): Promise<number> {
    return this.execOn(this.pool).run(sql, params);
  }

  insert(sql: string, params?: unknown[]): Promise<number> {
    return this.execOn(this.pool).insert(sql, params);
  }

  async tx<T>(fn: (x: Exec) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const conn = await this.pool.getConnection();
      try {
        await conn.query('START TRANSACTION');
        const out = await fn(this.execOn(conn));
        await conn.query('COMMIT');
        return out;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => undefined);
        if (!RETRYABLE.has((err as { errno?: number }).errno ?? 0) || attempt >= MAX_RETRIES) throw err;
        await sleep(2 + Math.random() * 10 * Math.min(attempt + 1, 10));
      } finally {
        conn.release();
      }
    }
  }

  async bump(x: Exec, queue: string, name: string, by: number): Promise<number> {
    if (name === 'seq' || name === 'id') {
      const first = await x.insert(`INSERT INTO stryke_job_seq (id) VALUES ${new Array(by).fill('(NULL)').join(', ')}`);
      if (first % 1000 < by) await x.run('DELETE FROM stryke_job_seq WHERE id < ?', [first]);
      return first + by - 1;
    }
    await x.run(
      'INSERT INTO stryke_job_counters (queue, name, value) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE value = value + VALUES(value)',
      [queue, name, by],
    );
    const rows = await x.all<{ value: number | string }>('SELECT value FROM stryke_job_counters WHERE queue = ? AND name = ?', [queue, name]);
    return Number(rows[0]!.value);
  }

  upsert(table: string, cols: string[], _keys: string[], update: string[]): string {
    const set = update.map((c) => `${c} = VALUES(${c})`).join(', ');
    return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON DUPLICATE KEY UPDATE ${set}`;
  }

  ready(): Promise<void> {
    this.readyPromise ??= (async () => {
      const conn = await this.pool.getConnection();
      try {
        await conn.query("SELECT GET_LOCK('stryke_jobs_schema', 30)");
        for (const sql of schemaStatements('mysql')) await conn.query(sql);
        await conn.query("SELECT RELEASE_LOCK('stryke_jobs_schema')");
      } finally {
        conn.release();
      }
    })();
    this.readyPromise.catch(() => (this.readyPromise = undefined));
    return this.readyPromise;
  }

  async release(): Promise<void> {
    if (--this.refs > 0) return;
    drivers.delete(this.key);
    await this.pool.end();
  }
}

const drivers = new Map<string, MysqlDriver>();

/** The shared driver for a MySQL/MariaDB database (pool opened on first use). */
export function mysqlDriver(options: MysqlConnectionOptions): SqlDriver {
  const key = `mysql://${options.user ?? 'root'}@${options.host ?? '127.0.0.1'}:${options.port ?? 3306}/${options.database}`;
  let driver = drivers.get(key);
  if (!driver) {
    driver = new MysqlDriver(key, options);
    drivers.set(key, driver);
  }
  driver.refs++;
  return driver;
}
