import type { EventEmitter } from 'node:events';
import type { Pool, PoolConnection, PoolOptions } from 'mysql2/promise';
import { createMysqlPool } from '../../db';
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

/** Socket-level failures: the server is down, unreachable or dropped the connection. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR',
]);

/** Job ids a process reserves per queue at a time. */
const ID_BLOCK = 100;

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
  readonly idsFromSeq = false;
  readonly idsApart = true;
  readonly bus: EventEmitter;
  private readonly pool: Pool;
  private readonly idOptions: Record<string, unknown>;
  /** The connection job ids are drawn on, outside any transaction (see `bump`): framework/db's pool of one, opened on first use. */
  private idPool?: Pool;
  /** Per queue, the ids this process reserved and has not used yet. */
  private readonly idBlocks = new Map<string, { next: number; end: number }>();
  private readyPromise?: Promise<void>;
  refs = 0;

  constructor(readonly key: string, options: MysqlConnectionOptions) {
    const { pollInterval: _p, ...rest } = options;
    // multipleStatements: a transaction sends its START with its first statement and deferred writes with the
    // next one or the COMMIT (every value still travels as a placeholder parameter).
    const pool: PoolOptions = {
      host: '127.0.0.1', port: 3306, user: 'root', connectionLimit: 10, ...rest, supportBigNumbers: true, bigNumberStrings: false, timezone: 'Z', multipleStatements: true,
    };
    this.idOptions = { ...pool, connectionLimit: 1, maxIdle: 1, multipleStatements: false };
    // framework/db's pool (UTC sessions), READ COMMITTED, through mysql2's promise wrapper. A pool of its own,
    // not the app's: multiple statements per query and READ COMMITTED are the queue's settings, not the app's.
    this.pool = createMysqlPool(pool as Record<string, unknown>, ['SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED']).promise();
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

  /**
   * A transaction's statements on `conn`: `START TRANSACTION` and deferred statements are sent in front of
   * the next statement, as one multi-statement query, whose last result is the one asked for.
   */
  private txExec(conn: PoolConnection): Exec & { commit(): Promise<void> } {
    let queued: string[] = ['START TRANSACTION'];
    let queuedParams: unknown[] = [];
    const send = async (sql: string, params: unknown[] = []): Promise<unknown> => {
      if (queued.length === 0) return (await conn.query(sql, params))[0];
      const n = queued.length;
      const text = `${queued.join(';\n')};\n${sql}`;
      const all = [...queuedParams, ...params];
      queued = [];
      queuedParams = [];
      return ((await conn.query(text, all))[0] as unknown[])[n];
    };
    return {
      allMany: async (queries: Array<[string, unknown[]]>) => {
        const n = queued.length;
        const text = [...queued, ...queries.map(([sql]) => sql)].join(';\n');
        const all = [...queuedParams, ...queries.flatMap(([, p]) => p)];
        queued = [];
        queuedParams = [];
        const [res] = await conn.query(text, all);
        // One statement answers with its rows; several with a list of results.
        return n + queries.length === 1 ? [res as any[]] : (res as any[][]).slice(n);
      },
      all: async <T>(sql: string, params?: unknown[]) => (await send(sql, params)) as T[],
      run: async (sql: string, params?: unknown[]) => ((await send(sql, params)) as { affectedRows?: number }).affectedRows ?? 0,
      insert: async (sql: string, params?: unknown[]) => Number(((await send(sql, params)) as { insertId?: number }).insertId ?? 0),
      defer: (sql: string, params?: unknown[]) => {
        queued.push(sql);
        if (params) queuedParams.push(...params);
      },
      commit: async () => {
        await send('COMMIT');
      },
    };
  }

  async tx<T>(fn: (x: Exec) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const conn = await this.pool.getConnection();
      try {
        const x = this.txExec(conn);
        const out = await fn(x);
        await x.commit();
        conn.release();
        return out;
      } catch (err) {
        if (this.isConnectionError(err)) {
          // Never hand a broken connection back to the pool: the next transaction gets a fresh one.
          conn.destroy();
          throw err;
        }
        await conn.query('ROLLBACK').catch(() => undefined);
        conn.release();
        if (!RETRYABLE.has((err as { errno?: number }).errno ?? 0) || attempt >= MAX_RETRIES) throw err;
        await sleep(2 + Math.random() * 10 * Math.min(attempt + 1, 10));
      }
    }
  }

  /** innodb_autoinc_lock_mode 0 or 1 (MariaDB's default): a multi-row INSERT gets consecutive auto-increment ids. */
  private consecutive = false;

  blockIds(): boolean {
    return this.consecutive;
  }

  isConnectionError(err: unknown): boolean {
    const e = err as { code?: string; fatal?: boolean; message?: string } | undefined;
    if (!e) return false;
    if (e.fatal || CONNECTION_CODES.has(e.code ?? '')) return true;
    return /closed state|Connection lost/i.test(e.message ?? '');
  }

  async bump(x: Exec, queue: string, name: string, by: number): Promise<number> {
    if (name === 'id') return this.nextIds(queue, by);
    if (name === 'seq') {
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

  /**
   * Job ids 1, 2, 3... per queue, as on Redis: a per-queue counter bumped in one autocommit statement on a
   * connection of its own, so its row is locked only for that statement, not until the adding transaction
   * commits (concurrent adds do not wait on each other). An add that rolls back leaves a gap, as on Redis;
   * so do several processes adding to one queue (each takes its ids from blocks of 100). Obliterating a
   * queue keeps its id counter on MySQL, so no process can hand out an id of a block it still holds twice.
   */
  private async nextIds(queue: string, by: number): Promise<number> {
    // Reserved a block at a time (one round trip per ID_BLOCK ids, not per add); a process that ends leaves
    // the rest of its block unused, a gap, as an add that rolls back does.
    let block = this.idBlocks.get(queue);
    if (!block || block.end - block.next + 1 < by) {
      const size = Math.max(by, ID_BLOCK);
      const pending = this.onIdConn((conn) => conn.query(
        "INSERT INTO stryke_job_counters (queue, name, value) VALUES (?, 'id', LAST_INSERT_ID(?)) ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + ?)",
        [queue, size, size],
      ));
      const end = Number(((await pending)[0] as { insertId?: number }).insertId);
      block = this.idBlocks.get(queue);
      if (!block || block.end - block.next + 1 < by) {
        block = { next: end - size + 1, end };
        this.idBlocks.set(queue, block);
      }
    }
    block.next += by;
    return block.next - 1;
  }

  /** Runs `fn` on the id connection (autocommit), trying again once or twice on a fresh one if it was lost. */
  private async onIdConn<T>(fn: (conn: Pool) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const pool = (this.idPool ??= createMysqlPool(this.idOptions).promise());
      try {
        return await fn(pool);
      } catch (err) {
        if (!this.isConnectionError(err) || attempt >= 2) throw err;
      }
    }
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
        const [mode] = await conn.query('SELECT @@innodb_autoinc_lock_mode AS mode');
        this.consecutive = Number((mode as Array<{ mode: number | string }>)[0]?.mode ?? 2) < 2;
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
    const ids = this.idPool;
    this.idPool = undefined;
    if (ids) await ids.end().catch(() => undefined);
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
