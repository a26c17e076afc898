/**
 * The app's connection to its database (`Database`): where each statement runs (SQLite's runner, PostgreSQL's,
 * MySQL's, or the current transaction's connection) and transactions with their savepoints and callbacks.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { QueryRunner } from 'typeorm';
import { DataSource } from 'typeorm/data-source/DataSource';
import { dataSourceOptions, type DatabaseConfig } from './database-config';
import { dialectFor, type Dialect } from './dialect';
import { runMysql, utcSessions } from './mysql-runner';
import { PgRunner, type PgClient } from './pg-runner';
import type { QueryOutcome } from './query-outcome';
import { SqliteRunner } from './sqlite-runner';

// Moved to files of their own; still exported from here, where the rest of stryke imports them.
export { databaseConfig, dataSourceOptions, normalizeAdapter, parseDatabaseUrl, sqlitePath, type DatabaseConfig } from './database-config';
export type { ColumnLayout, QueryOutcome } from './query-outcome';

/** An open transaction: the query runner holding its connection, and the records saved in it. */
export interface TransactionScope {
  db: Database;
  runner: QueryRunner;
  depth: number;
  parent?: TransactionScope;
  /** Records saved or destroyed inside, for their afterCommit/afterRollback callbacks. */
  records: { record: any; action: 'create' | 'update' | 'destroy' }[];
  /** Set when a nested savepoint has been released into its parent or the transaction has ended. */
  done?: boolean;
}

/**
 * The transaction the current async call chain runs in. Every model statement issued inside
 * `Model.transaction(fn)` (however deep in the calls fn makes) finds its connection here.
 */
export const transactionStore = new AsyncLocalStorage<TransactionScope>();

/**
 * The app's connection: TypeORM's DataSource (drivers, pooling, query runners, transactions) plus the
 * dialect stryke writes its SQL in. A statement outside a transaction goes straight to the pool TypeORM's
 * driver opened (SQLite: its connection, with prepared statements cached by SQL); inside
 * `transaction(fn)` it goes through that transaction's TypeORM query runner. Values are always bound.
 */
export class Database {
  readonly dialect: Dialect;
  /** Quoted names of tables with bigint columns: SQLite reads their integers as BigInt, so none is rounded. */
  readonly bigintTables = new Set<string>();
  /** SQLite: its prepared statements and their synchronous run (sqlite-runner.ts). */
  private readonly sqliteRunner: SqliteRunner;
  /** PostgreSQL: statements outside a transaction, on clients held out of the pool (pg-runner.ts). */
  private readonly pgRunner: PgRunner;
  /** SQLite has one connection: while a transaction holds it, statements from elsewhere wait their turn. */
  private sqliteGate: Promise<void> | null = null;

  /** SQLite: statements run on its one connection directly, synchronously. */
  private readonly sqliteDirect: boolean;

  constructor(readonly dataSource: DataSource, readonly config: DatabaseConfig) {
    this.dialect = dialectFor(config.adapter);
    this.sqliteDirect = config.adapter === 'sqlite';
    this.sqliteRunner = new SqliteRunner(dataSource, this.bigintTables);
    this.pgRunner = new PgRunner(dataSource);
  }

  static async connect(config: DatabaseConfig, root: string): Promise<Database> {
    const ds = new DataSource(dataSourceOptions(config, root));
    await ds.initialize();
    if (config.adapter === 'mysql') await utcSessions(ds);
    return new Database(ds, config);
  }

  /** The transaction of this database the caller runs in, if any. */
  currentTransaction(): TransactionScope | undefined {
    const scope = transactionStore.getStore();
    return scope && scope.db === this && !scope.done ? scope : undefined;
  }

  /** Runs a statement (on `runner` when given, else on the pool or the current transaction's connection). */
  async run(sql: string, binds: unknown[] = [], runner?: QueryRunner): Promise<QueryOutcome> {
    return runner ? this.runOn(sql, binds, runner) : this.execute(sql, binds);
  }

  /**
   * Runs a statement, giving its outcome at once when it runs synchronously (SQLite, its connection free
   * or held by the caller's transaction) and a promise otherwise: the model layer's reads skip a promise
   * and a tick on SQLite. Every statement without an explicit query runner goes through here.
   */
  execute(sql: string, binds: unknown[] = [], arrays = false): QueryOutcome | Promise<QueryOutcome> {
    if (this.sqliteDirect) {
      if (!this.sqliteGate || this.currentTransaction()) return this.sqliteRunner.run(sql, binds, arrays);
    } else if (!this.currentTransaction()) {
      return this.runOnPool(sql, binds, arrays);
    }
    return this.runOn(sql, binds, undefined, arrays);
  }

  private async runOn(sql: string, binds: unknown[], runner: QueryRunner | undefined, arrays = false): Promise<QueryOutcome> {
    const scope = runner ? undefined : this.currentTransaction();
    if (this.sqliteDirect && (runner === undefined || runner === this.dataSource.driver.createQueryRunner('master'))) {
      // One connection: the transaction's statements run on it directly, others wait for it to end.
      if (!scope && !runner) while (this.sqliteGate) await this.sqliteGate;
      return this.sqliteRunner.run(sql, binds, arrays);
    }
    const qr = runner ?? scope?.runner;
    if (!qr) return this.runOnPool(sql, binds, arrays);
    if (arrays && this.config.adapter === 'postgres' && !qr.isReleased) {
      // A model read in a transaction: as text arrays too, on the transaction's connection.
      const client = (qr as unknown as { databaseConnection?: PgClient }).databaseConnection;
      if (client) return this.pgRunner.runOnClient(client, sql, binds);
    }
    const result = await qr.query(sql, binds, true);
    const raw = result.raw;
    return {
      rows: result.records ?? [],
      affected: result.affected ?? 0,
      insertId: typeof raw === 'number' || typeof raw === 'bigint' ? Number(raw) : raw?.insertId,
    };
  }

  /** A statement outside a transaction on PostgreSQL or MySQL: straight to the pool. */
  private runOnPool(sql: string, binds: unknown[], arrays: boolean): Promise<QueryOutcome> {
    return this.config.adapter === 'postgres' ? this.pgRunner.run(sql, binds, arrays) : runMysql(this.dataSource, sql, binds);
  }

  /** How many clients the connection holds out of node-postgres's pool now (PostgreSQL; 0 elsewhere). */
  get heldClients(): number {
    return this.pgRunner.heldClients;
  }

  async select(sql: string, binds: unknown[] = []): Promise<Record<string, any>[]> {
    return (await this.run(sql, binds)).rows;
  }

  /**
   * Runs `fn` in a transaction: committed when it returns, rolled back when it throws (the error goes
   * on). Inside another transaction it runs in a savepoint, so a throw undoes only its own work.
   * `join: true` runs in the enclosing transaction instead (how save and destroy wrap themselves).
   */
  async transaction<R>(fn: (scope: TransactionScope) => Promise<R> | R, options: { join?: boolean } = {}): Promise<R> {
    const outer = this.currentTransaction();
    if (outer && options.join) return fn(outer);
    if (outer) {
      const scope: TransactionScope = { db: this, runner: outer.runner, depth: outer.depth + 1, parent: outer, records: [] };
      await outer.runner.startTransaction();
      let result: R;
      try {
        result = await transactionStore.run(scope, () => fn(scope));
      } catch (err) {
        scope.done = true;
        await outer.runner.rollbackTransaction();
        await runRollbackCallbacks(scope.records);
        throw err;
      }
      scope.done = true;
      await outer.runner.commitTransaction();
      outer.records.push(...scope.records);
      return result;
    }

    let release: (() => void) | undefined;
    if (this.config.adapter === 'sqlite') {
      while (this.sqliteGate) await this.sqliteGate;
      this.sqliteGate = new Promise<void>((r) => (release = r));
    }
    const runner = this.dataSource.createQueryRunner();
    const scope: TransactionScope = { db: this, runner, depth: 0, records: [] };
    let result: R;
    let failure: { err: unknown } | undefined;
    try {
      await runner.startTransaction();
      try {
        result = await transactionStore.run(scope, () => fn(scope));
      } catch (err) {
        scope.done = true;
        failure = { err };
        await runner.rollbackTransaction();
      }
      if (!failure) {
        scope.done = true;
        await runner.commitTransaction();
      }
    } finally {
      if (this.config.adapter !== 'sqlite') await runner.release();
      if (release) {
        this.sqliteGate = null;
        release();
      }
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

  async close(): Promise<void> {
    this.pgRunner.close();
    this.sqliteRunner.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
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
