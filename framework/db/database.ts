/**
 * The app's database (`SqlDatabase`): the connections (SQLite's one, PostgreSQL's and MySQL's pools, all
 * opened by stryke through the drivers' public APIs), where each statement runs (the pool, or the current
 * transaction's connection), and transactions with their savepoints and commit/rollback callbacks. The model
 * layer (framework/orm) and the SQL job queue (framework/jobs/sql) both run on it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sqlitePath, timeoutsOf, type DatabaseConfig } from './config';
import { createMysqlPool, MysqlRunner, type MysqlPool } from './mysql';
import type { QueryOutcome } from './outcome';
import { PgRunner, type PgPrepareValue, type PgTypes } from './pg';
import { PgPool } from './pg-pool';
import { closeSqlite, openSqlite, SqliteRunner, type SqliteHandle, type SqliteShared } from './sqlite';

/** A connection held for a while (a transaction's, or `withConnection`'s). Placeholders are the adapter's. */
export interface SqlConnection {
  /** Runs one statement on this connection (SQLite: synchronously). `arrays`: rows as arrays, as `execute` gives them. */
  query(sql: string, binds?: unknown[], arrays?: boolean): QueryOutcome | Promise<QueryOutcome>;
}

/** An open transaction: the connection holding it, and the records saved in it. */
export interface TransactionScope {
  db: SqlDatabase;
  conn: SqlConnection;
  depth: number;
  parent?: TransactionScope;
  /** Records saved or destroyed inside, for their afterCommit/afterRollback callbacks. */
  records: { record: any; action: 'create' | 'update' | 'destroy' }[];
  /** Set when a nested savepoint has been released into its parent or the transaction has ended. */
  done?: boolean;
}

/**
 * The transaction the current async call chain runs in. Every statement issued inside
 * `transaction(fn)` (however deep in the calls fn makes: a model's, a job enqueued) finds its connection here.
 */
export const transactionStore = new AsyncLocalStorage<TransactionScope>();

interface Held {
  conn: SqlConnection;
  release(broken: boolean): void;
}

const BEGIN = { sqlite: 'BEGIN IMMEDIATE', postgres: 'BEGIN', mysql: 'START TRANSACTION' } as const;

export class SqlDatabase {
  /** Quoted names of tables with bigint columns: SQLite reads their integers as BigInt, so none is rounded. */
  readonly bigintTables = new Set<string>();
  /** SQLite: the file's one connection of this process (shared with the job queue and TypeORM's schema commands). */
  readonly sqliteHandle?: SqliteHandle;
  readonly sqliteFile?: string;
  /** SQLite: the connection with its transaction gate, shared with the job queue on the same file. */
  readonly sqliteShared?: SqliteShared;
  private readonly sqlite?: SqliteRunner;
  private readonly pg?: PgRunner;
  /** MySQL/MariaDB: mysql2's pool and its timeouts. */
  readonly mysql?: MysqlRunner;
  private readonly closeHooks: (() => unknown)[] = [];
  private closed = false;

  constructor(readonly config: DatabaseConfig, readonly root: string) {
    const t = timeoutsOf(config);
    switch (config.adapter) {
      case 'sqlite':
        this.sqliteFile = sqlitePath(config, root);
        this.sqliteShared = openSqlite(this.sqliteFile, t.busy);
        this.sqliteHandle = this.sqliteShared.handle;
        this.sqlite = new SqliteRunner(this.sqliteHandle, this.bigintTables);
        break;
      case 'postgres': {
        const pg = require('pg') as { Client: new (c: object) => any; types: PgTypes; utils: { prepareValue: PgPrepareValue } };
        const client: Record<string, unknown> = {
          host: config.host ?? '127.0.0.1', port: config.port ?? 5432, user: config.username ?? process.env.PGUSER ?? 'postgres',
          password: config.password, database: config.database, connectionTimeoutMillis: t.connect,
        };
        // The server cancels a statement past statement_timeout (57014); the client gives up one second later
        // when the server does not answer at all.
        if (t.statement) Object.assign(client, { statement_timeout: t.statement, query_timeout: t.statement + 1000 });
        const pool = new PgPool(pg, { client, max: config.pool ?? 10, acquireMs: t.acquire, idleMs: 10_000 });
        this.pg = new PgRunner(pool, pg.types, pg.utils.prepareValue);
        break;
      }
      case 'mysql': {
        const size = config.pool ?? 10;
        const pool: MysqlPool = createMysqlPool({
          host: config.host ?? '127.0.0.1', port: config.port ?? 3306, user: config.username ?? 'root', password: config.password ?? '',
          database: config.database, connectionLimit: size, charset: 'utf8mb4', timezone: 'Z', connectTimeout: t.connect,
          supportBigNumbers: true, bigNumberStrings: true, stringifyObjects: true,
          // JSON columns as their text, as SQLite gives them: the json field's reader parses it once.
          jsonStrings: true,
        });
        this.mysql = new MysqlRunner(pool, size, t.acquire, t.statement);
        break;
      }
    }
  }

  /** Opens the database; PostgreSQL and MySQL are reached once now, so a wrong setting fails at boot. */
  static async connect<T extends SqlDatabase>(this: new (config: DatabaseConfig, root: string) => T, config: DatabaseConfig, root: string): Promise<T> {
    const db = new this(config, root);
    try {
      if (config.adapter !== 'sqlite') await db.withConnection((c) => c.query('SELECT 1'));
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }

  /** The transaction of this database the caller runs in, if any. */
  currentTransaction(): TransactionScope | undefined {
    const scope = transactionStore.getStore();
    return scope && scope.db === this && !scope.done ? scope : undefined;
  }

  /** Runs a statement (on `conn` when given, else on the pool or the current transaction's connection). */
  async run(sql: string, binds: unknown[] = [], conn?: SqlConnection): Promise<QueryOutcome> {
    return conn ? conn.query(sql, binds) : this.execute(sql, binds);
  }

  async select(sql: string, binds: unknown[] = []): Promise<Record<string, any>[]> {
    return (await this.run(sql, binds)).rows;
  }

  /**
   * Runs a statement, giving its outcome at once when it runs synchronously (SQLite, its connection free
   * or held by the caller's transaction) and a promise otherwise: the model layer's reads skip a promise
   * and a tick on SQLite. Asked for `arrays`, rows come as arrays with their `columns` (SQLite, PostgreSQL).
   */
  execute(sql: string, binds: unknown[] = [], arrays = false): QueryOutcome | Promise<QueryOutcome> {
    if (this.sqlite) {
      // One connection: while a transaction holds it (this app's or the job queue's), statements from
      // elsewhere wait their turn.
      if (!this.sqliteShared!.gate || this.currentTransaction()) return this.sqlite.run(sql, binds, arrays);
      return this.afterGate(sql, binds, arrays);
    }
    const scope = this.currentTransaction();
    if (scope) return scope.conn.query(sql, binds, arrays);
    return this.pg ? this.pg.run(sql, binds, arrays) : this.mysql!.run(sql, binds);
  }

  private async afterGate(sql: string, binds: unknown[], arrays: boolean): Promise<QueryOutcome> {
    while (this.sqliteShared!.gate) await this.sqliteShared!.gate;
    return this.sqlite!.run(sql, binds, arrays);
  }

  /** A connection of its own (SQLite: the one, waiting for a transaction to end): the caller's to release. */
  private async acquire(): Promise<Held> {
    if (this.sqlite) {
      const open = await this.sqliteShared!.lock();
      const sqlite = this.sqlite;
      return { conn: { query: (sql, binds = [], arrays = false) => sqlite.run(sql, binds, arrays) }, release: open };
    }
    if (this.pg) {
      const pg = this.pg;
      const slot = await pg.pool.acquireAsync();
      return { conn: { query: (sql, binds = [], arrays = false) => pg.runOn(slot, sql, binds, arrays) }, release: (broken) => pg.pool.release(slot, broken) };
    }
    const my = this.mysql!;
    const c = await my.acquire();
    return { conn: { query: (sql, binds = []) => my.runOn(c, sql, binds) }, release: (broken) => my.release(c, broken) };
  }

  /** Runs `fn` with one connection held for it (session settings hold between its statements). */
  async withConnection<R>(fn: (conn: SqlConnection) => Promise<R> | R): Promise<R> {
    const held = await this.acquire();
    let broken = false;
    try {
      return await fn(held.conn);
    } catch (err) {
      broken = !(err as { code?: unknown })?.code || /^(08|57P|PROTOCOL_|ECONN|ETIMEDOUT)/.test(String((err as { code?: unknown }).code));
      throw err;
    } finally {
      held.release(broken);
    }
  }

  /**
   * Runs `fn` in a transaction: committed when it returns, rolled back when it throws (the error goes
   * on). Inside another transaction it runs in a savepoint, so a throw undoes only its own work.
   * `join: true` runs in the enclosing transaction instead (how save and destroy wrap themselves). SQLite
   * begins IMMEDIATE: the write lock is taken at once (waiting up to busy_timeout for another process's),
   * never upgraded after a read, which would fail SQLITE_BUSY at once.
   */
  async transaction<R>(fn: (scope: TransactionScope) => Promise<R> | R, options: { join?: boolean } = {}): Promise<R> {
    const outer = this.currentTransaction();
    if (outer && options.join) return fn(outer);
    if (outer) return this.savepoint(outer, fn);

    const held = await this.acquire();
    const scope: TransactionScope = { db: this, conn: held.conn, depth: 0, records: [] };
    let result: R;
    let failure: { err: unknown } | undefined;
    let broken = false;
    try {
      await held.conn.query(BEGIN[this.config.adapter]);
      try {
        result = await transactionStore.run(scope, () => fn(scope));
      } catch (err) {
        scope.done = true;
        failure = { err };
        await held.conn.query('ROLLBACK');
      }
      if (!failure) {
        scope.done = true;
        await held.conn.query('COMMIT');
      }
    } catch (err) {
      // BEGIN, COMMIT or ROLLBACK failed: the connection is in doubt.
      scope.done = true;
      broken = true;
      if (!failure) failure = { err };
    } finally {
      held.release(broken);
    }
    // After the connection is free: a callback that runs SQL (a purge, an enqueue) would otherwise wait on
    // SQLite's gate, which this transaction still held, forever.
    if (failure) {
      await runRollbackCallbacks(scope.records);
      throw failure.err;
    }
    await runCommitCallbacks(scope.records);
    return result!;
  }

  private async savepoint<R>(outer: TransactionScope, fn: (scope: TransactionScope) => Promise<R> | R): Promise<R> {
    const scope: TransactionScope = { db: this, conn: outer.conn, depth: outer.depth + 1, parent: outer, records: [] };
    const name = `stryke_sp_${scope.depth}`;
    await outer.conn.query(`SAVEPOINT ${name}`);
    let result: R;
    try {
      result = await transactionStore.run(scope, () => fn(scope));
    } catch (err) {
      scope.done = true;
      await outer.conn.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await runRollbackCallbacks(scope.records);
      throw err;
    }
    scope.done = true;
    await outer.conn.query(`RELEASE SAVEPOINT ${name}`);
    outer.records.push(...scope.records);
    return result;
  }

  /** Connections of the pool by state (PostgreSQL: total, idle, in use, waiting; MySQL: in use; SQLite: none). */
  poolStats(): Record<string, number> {
    if (this.pg) return this.pg.pool.stats();
    if (this.mysql) return this.mysql.stats();
    return {};
  }

  /** Runs `fn` as the database closes, before its connections do (a TypeORM DataSource opened on it). */
  onClose(fn: () => unknown): void {
    this.closeHooks.push(fn);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closeHooks.splice(0).reverse()) await fn();
    if (this.sqlite) {
      this.sqlite.close();
      closeSqlite(this.sqliteShared!);
    }
    if (this.pg) {
      this.pg.close();
      await this.pg.pool.close();
    }
    if (this.mysql) await this.mysql.close();
  }
}

/** Set by the model layer: runs afterCommit / afterRollback callbacks of the records a transaction touched. */
export const transactionHooks: {
  commit(records: TransactionScope['records']): Promise<void>;
  rollback(records: TransactionScope['records']): Promise<void>;
} = { commit: async () => {}, rollback: async () => {} };

function runCommitCallbacks(records: TransactionScope['records']): Promise<void> {
  return records.length ? transactionHooks.commit(records) : Promise.resolve();
}

function runRollbackCallbacks(records: TransactionScope['records']): Promise<void> {
  return records.length ? transactionHooks.rollback(records) : Promise.resolve();
}
