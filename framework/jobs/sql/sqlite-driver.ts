import type { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { closeSqlite, openSideSqlite, openSqlite, transactionStore, type SqliteHandle, type SqliteShared } from '../../db';
import { busFor, sleep, type Exec, type SqlDriver } from './driver';
import { schemaStatements } from './schema';

export interface SqliteConnectionOptions {
  /** The database file (the app's own, e.g. db/development.sqlite3). Relative to the current directory. */
  filename: string;
  /** How long one attempt waits for another process's write lock, in ms (default 50; the event loop is blocked meanwhile); busy attempts retry. */
  busyTimeout?: number;
  /** How often an idle worker or QueueEvents looks for work written by other processes, in ms (default 100). */
  pollInterval?: number;
}

type Statement = ReturnType<SqliteHandle['prepare']>;

const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED']);
const MAX_BUSY_RETRIES = 400;

function bind(params: unknown[] = []): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

/**
 * The one better-sqlite3 connection of a database file in this process (framework/db's: the app's models
 * use it too when the queue lives in the app's database), shared by every queue, worker and QueueEvents
 * (refcounted). Work on it is serialized by a promise chain and by the connection's transaction gate, so a
 * transaction is never interleaved with another statement of this process, the app's included (queue work
 * asked for inside the app's own `Model.transaction` runs on a side connection: see `serial`). Across processes,
 * writers take the database's write lock with BEGIN IMMEDIATE, and WAL lets readers run beside them.
 */
class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly claimLock = '';
  readonly insertIgnore = 'INSERT OR IGNORE';
  readonly idsFromSeq = false;
  readonly idsApart = false;
  readonly bus: EventEmitter;
  private readonly shared: SqliteShared;
  /** The process's connection to the file, and its prepared statements. */
  private readonly main: Conn;
  /** A connection of the queue's own, opened only for work asked for inside the app's transaction (below). */
  private side?: Conn;
  private chain: Promise<unknown> = Promise.resolve();
  private sideChain: Promise<unknown> = Promise.resolve();
  private readyPromise?: Promise<void>;
  refs = 0;

  constructor(readonly key: string, private readonly file: string, busyTimeout: number) {
    this.shared = openSqlite(file, busyTimeout);
    this.main = new Conn(this.shared.handle);
    this.busyTimeout = busyTimeout;
    this.bus = busFor(key);
  }

  private readonly busyTimeout: number;

  /** Whether the caller runs inside the app's transaction on this very connection. */
  private inAppTransaction(): boolean {
    const scope = transactionStore.getStore();
    return !!scope && !scope.done && scope.db.sqliteShared === this.shared;
  }

  /**
   * Runs `fn` on a connection of its own turn. Normally the process's shared connection, behind its
   * transaction gate. Inside the app's own transaction on that connection (a `queue.getJobCounts()` in a
   * `Model.transaction`), the gate is the caller's and what the connection reads is the transaction's
   * uncommitted work: such work runs on a second connection, opened for it, which sees only what is
   * committed, as another process would (the transactional enqueue itself goes through the transaction's
   * connection, in jobs/runtime.ts, not here).
   */
  private serial<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    if (this.inAppTransaction()) {
      this.side ??= new Conn(openSideSqlite(this.shared.file, this.busyTimeout));
      const side = this.side;
      const run = () => fn(side);
      const next = this.sideChain.then(run, run);
      this.sideChain = next.catch(() => undefined);
      return next;
    }
    const gated = async () => {
      const open = await this.shared.lock();
      try {
        return await fn(this.main);
      } finally {
        open();
      }
    };
    const next = this.chain.then(gated, gated);
    this.chain = next.catch(() => undefined);
    return next;
  }

  all<T = any>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.serial((c) => this.retryBusy(() => c.exec.all<T>(sql, params)));
  }

  run(sql: string, params?: unknown[]): Promise<number> {
    return this.serial((c) => this.retryBusy(() => c.exec.run(sql, params)));
  }

  insert(sql: string, params?: unknown[]): Promise<number> {
    return this.serial((c) => this.retryBusy(() => c.exec.insert(sql, params)));
  }

  tx<T>(fn: (x: Exec) => Promise<T>): Promise<T> {
    return this.serial((c) =>
      this.retryBusy(async () => {
        c.handle.exec('BEGIN IMMEDIATE');
        try {
          const out = await fn(c.exec);
          c.handle.exec('COMMIT');
          return out;
        } catch (err) {
          if (c.handle.inTransaction) c.handle.exec('ROLLBACK');
          throw err;
        }
      }),
    );
  }

  private async retryBusy<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!BUSY.has((err as { code?: string }).code ?? '') || attempt >= MAX_BUSY_RETRIES) throw err;
        await sleep(2 + Math.random() * 10 * Math.min(attempt + 1, 10));
      }
    }
  }

  /** One writer at a time: a counter's block is this transaction's alone. */
  blockIds(): boolean {
    return true;
  }

  /** A local file has no connection to lose (busy errors are retried above). */
  isConnectionError(_err: unknown): boolean {
    return false;
  }

  async bump(x: Exec, queue: string, name: string, by: number): Promise<number> {
    await x.run('INSERT INTO stryke_job_counters (queue, name, value) VALUES (?, ?, ?) ON CONFLICT (queue, name) DO UPDATE SET value = value + excluded.value', [queue, name, by]);
    const rows = await x.all<{ value: number }>('SELECT value FROM stryke_job_counters WHERE queue = ? AND name = ?', [queue, name]);
    return Number(rows[0]!.value);
  }

  upsert(table: string, cols: string[], keys: string[], update: string[]): string {
    const set = update.map((c) => `${c} = excluded.${c}`).join(', ');
    return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${set}`;
  }

  ready(): Promise<void> {
    this.readyPromise ??= this.tx(async (x) => {
      for (const sql of schemaStatements('sqlite')) await x.run(sql);
    });
    return this.readyPromise;
  }

  async release(): Promise<void> {
    if (--this.refs > 0) return;
    drivers.delete(this.key);
    await this.serial(async () => closeSqlite(this.shared));
    this.side?.handle.close();
    this.side = undefined;
  }
}

/** A connection and its prepared statements. */
class Conn {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly handle: SqliteHandle) {}

  private prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.handle.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  readonly exec: Exec = {
    all: async <T>(sql: string, params?: unknown[]) => this.prepare(sql).all(bind(params)) as T[],
    run: async (sql: string, params?: unknown[]) => this.prepare(sql).run(bind(params)).changes,
    insert: async (sql: string, params?: unknown[]) => Number(this.prepare(sql).run(bind(params)).lastInsertRowid),
  };
}

const drivers = new Map<string, SqliteDriver>();

/** The shared driver for a database file (opened on first use). */
export function sqliteDriver(options: SqliteConnectionOptions): SqlDriver {
  const file = options.filename === ':memory:' ? ':memory:' : resolve(options.filename);
  const key = `sqlite:${file}`;
  let driver = drivers.get(key);
  if (!driver) {
    driver = new SqliteDriver(key, file, options.busyTimeout ?? 50);
    drivers.set(key, driver);
  }
  driver.refs++;
  return driver;
}
