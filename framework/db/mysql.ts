/**
 * MySQL and MariaDB: a mysql2 pool (its public `createPool`, `getConnection`, connections' `query`,
 * `release` and `destroy`, and the pool's `connection` event), every session in UTC, and the timeouts:
 * connect (mysql2's `connectTimeout`), a wait for a free connection (`acquire_timeout`: mysql2's pool has
 * none, so the wait is timed here) and a statement (mysql2's per-query `timeout`, which ends the connection).
 */
import type { Pool as CorePool } from 'mysql2';
import { DbErrors } from './errors';
import type { QueryOutcome } from './outcome';

type Callback = (err: (Error & { fatal?: boolean }) | null, result?: any) => void;

/** The part of a mysql2 pooled connection stryke uses. */
export interface MysqlConnection {
  query(options: { sql: string; values?: unknown[]; timeout?: number }, cb: Callback): unknown;
  release(): void;
  destroy(): void;
}

export interface MysqlPool {
  getConnection(cb: (err: Error | null, conn: MysqlConnection) => void): void;
  on(event: string, fn: (...args: any[]) => void): unknown;
  end(cb: (err?: Error | null) => void): void;
}

const UTC = "SET time_zone = '+00:00'";

/**
 * MySQL's DATETIME has no zone: stryke writes UTC (mysql2 with `timezone: 'Z'`), so every session runs in
 * UTC too, and `NOW()` or a `CURRENT_TIMESTAMP` default agrees with it whatever the server's zone. mysql2
 * emits `connection` before it hands a new connection out, and one connection runs its statements in order.
 */
export function createMysqlPool(options: Record<string, unknown>, sessionSql: string[] = []): CorePool {
  const mysql = require('mysql2') as typeof import('mysql2');
  const pool = mysql.createPool(options);
  pool.on('connection', (c) => {
    for (const sql of [UTC, ...sessionSql]) c.query(sql, () => {});
  });
  return pool;
}

export function mysqlOutcome(result: any): QueryOutcome {
  if (Array.isArray(result)) return { rows: result, affected: 0 };
  return { rows: [], affected: result?.affectedRows ?? 0, insertId: result?.insertId };
}

/**
 * Whether an error leaves its connection unusable: a fatal one, or a statement past its timeout, which mysql2
 * reports while the statement still occupies the connection (the next command would queue behind it).
 */
function breaks(err: unknown): boolean {
  const e = err as { fatal?: boolean; code?: string };
  return !!e?.fatal || e?.code === 'PROTOCOL_SEQUENCE_TIMEOUT';
}

export class MysqlRunner {
  /** Connections handed out now (ours): with all `size` of them out, a wait for one is timed. */
  private out = 0;
  /** Connections ended because of an error, still to be given back by their holder. */
  private readonly broken = new WeakSet<MysqlConnection>();
  private closed = false;

  constructor(readonly pool: MysqlPool, private readonly size: number, private readonly acquireMs: number, readonly statementMs: number) {}

  stats(): { in_use: number } {
    return { in_use: this.out };
  }

  acquire(): Promise<MysqlConnection> {
    if (this.closed) return Promise.reject(DbErrors.CLOSED());
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      if (this.acquireMs > 0 && this.out >= this.size) {
        timer = setTimeout(() => {
          timedOut = true;
          reject(DbErrors.ACQUIRE_TIMEOUT('MySQL', this.acquireMs));
        }, this.acquireMs);
      }
      this.pool.getConnection((err, conn) => {
        if (timer) clearTimeout(timer);
        if (err) {
          if (!timedOut) reject(err);
          return;
        }
        if (timedOut) return conn.release(); // the caller gave up meanwhile
        this.out++;
        resolve(conn);
      });
    });
  }

  /** Gives a connection back; one whose connection failed (or timed out a statement) is ended instead. */
  release(conn: MysqlConnection, broken = false): void {
    this.out--;
    if (this.broken.has(conn)) return;
    if (broken) conn.destroy();
    else conn.release();
  }

  /** Runs one statement on `conn`. */
  runOn(conn: MysqlConnection, sql: string, binds: unknown[]): Promise<QueryOutcome> {
    return new Promise((resolve, reject) => {
      conn.query(this.statementMs ? { sql, values: binds, timeout: this.statementMs } : { sql, values: binds }, (err, result) => {
        if (err) {
          // Ended at once: what the holder sends next (a ROLLBACK) fails instead of waiting behind it.
          if (breaks(err) && !this.broken.has(conn)) {
            this.broken.add(conn);
            conn.destroy();
          }
          reject(err);
        } else resolve(mysqlOutcome(result));
      });
    });
  }

  /** A statement outside a transaction, on a connection of the pool. */
  async run(sql: string, binds: unknown[]): Promise<QueryOutcome> {
    const conn = await this.acquire();
    try {
      const out = await this.runOn(conn, sql, binds);
      this.release(conn);
      return out;
    } catch (err) {
      this.release(conn, breaks(err));
      throw err;
    }
  }

  close(): Promise<void> {
    this.closed = true;
    return new Promise((resolve) => this.pool.end(() => resolve()));
  }
}
