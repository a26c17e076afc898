import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { DataSource, type DataSourceOptions, type QueryRunner } from 'typeorm';
import { dialectFor, type Adapter, type Dialect } from './dialect';
import { OrmErrors } from './errors';
import { PgLease, type PgCallback, type PgLeasePool } from './pg-lease';
import { pgTextReader, textQueryClass, type PgTextResult, type PgTypeParsers } from './pg-text';

export interface DatabaseConfig {
  adapter: Adapter;
  /** SQLite: a file path (relative to the app root) or ":memory:". Others: the database name. */
  database: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  pool?: number;
  url?: string;
}

const ADAPTER_ALIASES: Record<string, Adapter> = {
  sqlite: 'sqlite', sqlite3: 'sqlite', 'better-sqlite3': 'sqlite',
  postgres: 'postgres', postgresql: 'postgres', pg: 'postgres',
  mysql: 'mysql', mysql2: 'mysql', mariadb: 'mysql',
};

export function normalizeAdapter(name: string): Adapter {
  const a = ADAPTER_ALIASES[name.toLowerCase()];
  if (!a) throw OrmErrors.UNSUPPORTED_ADAPTER(name);
  return a;
}

/** `sqlite:db/dev.sqlite3`, `postgres://user:pw@host:5432/db`, `mysql://root@127.0.0.1/app`. */
export function parseDatabaseUrl(url: string): DatabaseConfig {
  const scheme = url.slice(0, url.indexOf(':'));
  const adapter = normalizeAdapter(scheme);
  if (adapter === 'sqlite') {
    const rest = url.slice(scheme.length + 1).replace(/^\/\//, '');
    return { adapter, database: rest || ':memory:', url };
  }
  const u = new URL(url);
  return {
    adapter,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : undefined,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    url,
  };
}

/**
 * The database settings for one environment: `DATABASE_URL` wins, then `url` in config/database.toml,
 * then its separate keys. SQLite is the default.
 */
export function databaseConfig(section: Record<string, any> | undefined, env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const url = env.DATABASE_URL || section?.url;
  const base = url ? parseDatabaseUrl(url) : undefined;
  const adapter = base?.adapter ?? normalizeAdapter(String(section?.adapter ?? 'sqlite'));
  return {
    ...(section as object),
    adapter,
    database: base?.database ?? section?.database ?? (adapter === 'sqlite' ? 'db/development.sqlite3' : 'stryke_development'),
    host: base?.host ?? section?.host,
    port: base?.port ?? section?.port,
    username: base?.username ?? section?.username,
    password: base?.password ?? section?.password,
    pool: section?.pool,
    url,
  } as DatabaseConfig;
}

export function sqlitePath(config: DatabaseConfig, root: string): string {
  if (config.database === ':memory:' || isAbsolute(config.database)) return config.database;
  return join(root, config.database);
}

/** TypeORM DataSource options for one database config; `database` may be overridden (admin connections). */
export function dataSourceOptions(config: DatabaseConfig, root: string, database = config.database): DataSourceOptions {
  switch (config.adapter) {
    case 'sqlite': {
      const file = sqlitePath({ ...config, database }, root);
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      return { type: 'better-sqlite3', database: file, enableWAL: file !== ':memory:' } as DataSourceOptions;
    }
    case 'postgres':
      return {
        type: 'postgres', host: config.host ?? '127.0.0.1', port: config.port ?? 5432,
        username: config.username ?? process.env.PGUSER ?? 'postgres', password: config.password, database,
        poolSize: config.pool ?? 10,
      } as DataSourceOptions;
    case 'mysql':
      return {
        type: 'mysql', host: config.host ?? '127.0.0.1', port: config.port ?? 3306,
        username: config.username ?? 'root', password: config.password ?? '', database,
        timezone: 'Z', poolSize: config.pool ?? 10, charset: 'utf8mb4',
        // JSON columns as their text, as SQLite gives them: the json field's reader parses it once (mysql2's
        // own parse followed by the reader's would read a JSON string scalar twice).
        extra: { jsonStrings: true },
      } as DataSourceOptions;
  }
}

/**
 * The columns of rows read as arrays: their names, and for PostgreSQL (whose values then come as the
 * text the server sent) how to read each column's text into a field: its type, the driver's parser for
 * it, and the function that composes the conversion for a field (pg-text.ts).
 */
export type ColumnLayout = readonly string[] & {
  text?: {
    oids: readonly number[];
    parsers: readonly ((text: string) => unknown)[];
    reader: typeof pgTextReader;
  };
};

export interface QueryOutcome {
  rows: Record<string, any>[];
  affected: number;
  insertId?: number | string;
  /**
   * Set when the rows came as arrays of values (asked for with `execute(sql, binds, true)`, and given by
   * SQLite and PostgreSQL outside a transaction): the result's column names, the same array for every run
   * of one statement. PostgreSQL's rows are then arrays of the values' text, to be read as `columns.text` says.
   */
  columns?: ColumnLayout;
}

const UTC = "SET time_zone = '+00:00'";

/**
 * MySQL's DATETIME has no zone: stryke writes UTC (mysql2 with `timezone: 'Z'`), so every session runs in
 * UTC too, and `NOW()` or a `CURRENT_TIMESTAMP` default agrees with it whatever the server's zone.
 */
async function utcSessions(ds: DataSource): Promise<void> {
  const pool = (ds.driver as unknown as { pool?: { on(event: 'connection', fn: (c: { query(sql: string, cb: () => void): void }) => void): void } }).pool;
  pool?.on('connection', (c) => c.query(UTC, () => {}));
  await ds.query(UTC); // the one connection TypeORM opened (and pooled) while initializing
}

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

type SqliteStatement = {
  reader: boolean; single?: boolean; names?: readonly string[];
  get(binds: unknown[]): any; all(binds: unknown[]): any[]; run(binds: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  safeIntegers(on: boolean): unknown; raw(on: boolean): unknown; pluck(on: boolean): unknown; columns(): { name: string }[];
};
type SqliteConnection = { prepare(sql: string): SqliteStatement };
type PgResult = { rows: any[]; rowCount: number | null };
type PgClient = { query(query: object, cb: (err: Error | null, result: unknown) => void): void };
type PgModule = { types: PgTypeParsers; Query: new (text: string, values: unknown[]) => object };
type MysqlPool = { query(sql: string, binds: unknown[], cb: (err: Error | null, result: any) => void): void };

const STATEMENT_CACHE_LIMIT = 500;
const PG_PREPARED_LIMIT = 1000;

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
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly arrayStatements = new Map<string, SqliteStatement>();
  private readonly pgNames = new Map<string, string>();
  /** PostgreSQL rows read as arrays: the column layout last seen per SQL text (one array per layout). */
  private readonly pgColumns = new Map<string, ColumnLayout>();
  private pgTextQuery: (new (name: string | undefined, text: string, values: unknown[]) => object) | undefined;
  /** PostgreSQL: clients held out of the pool for statements outside a transaction (pg-lease.ts). */
  private pgLease: PgLease | undefined;
  private closing = false;
  /** SQLite has one connection: while a transaction holds it, statements from elsewhere wait their turn. */
  private sqliteGate: Promise<void> | null = null;

  /** SQLite: statements run on its one connection directly, synchronously. */
  private readonly sqliteDirect: boolean;
  /** SQLite: the schema version last seen, checked once per turn of the event loop that reads rows as arrays. */
  private schemaVersion: unknown = undefined;
  private schemaChecked = false;
  private schemaStatement: SqliteStatement | undefined;

  constructor(readonly dataSource: DataSource, readonly config: DatabaseConfig) {
    this.dialect = dialectFor(config.adapter);
    this.sqliteDirect = config.adapter === 'sqlite';
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
      if (!this.sqliteGate || this.currentTransaction()) return this.sqlite(sql, binds, arrays);
    } else if (!this.currentTransaction()) {
      // Outside a transaction, straight to the pool.
      return this.config.adapter === 'postgres' ? this.pg(sql, binds, arrays) : this.mysql(sql, binds);
    }
    return this.runOn(sql, binds, undefined, arrays);
  }

  private async runOn(sql: string, binds: unknown[], runner: QueryRunner | undefined, arrays = false): Promise<QueryOutcome> {
    const scope = runner ? undefined : this.currentTransaction();
    if (this.sqliteDirect && (runner === undefined || runner === this.dataSource.driver.createQueryRunner('master'))) {
      // One connection: the transaction's statements run on it directly, others wait for it to end.
      if (!scope && !runner) while (this.sqliteGate) await this.sqliteGate;
      return this.sqlite(sql, binds, arrays);
    }
    const qr = runner ?? scope?.runner;
    if (!qr) return this.config.adapter === 'postgres' ? this.pg(sql, binds, arrays) : this.mysql(sql, binds);
    if (arrays && this.config.adapter === 'postgres' && !qr.isReleased) {
      // A model read in a transaction: as text arrays too, on the transaction's connection. Unnamed, as TypeORM's
      // runner sends its statements: a prepared statement gone stale would abort the whole transaction.
      const client = (qr as unknown as { databaseConnection?: PgClient }).databaseConnection;
      if (client) {
        const t = await new Promise<PgTextResult>((resolve, reject) => {
          client.query(this.textQuery(undefined, sql, binds), (err, res) => (err ? reject(err) : resolve(res as PgTextResult)));
        });
        return { rows: t.rows, affected: t.rowCount ?? 0, columns: this.pgLayout(sql, t.fields) };
      }
    }
    const result = await qr.query(sql, binds, true);
    const raw = result.raw;
    return {
      rows: result.records ?? [],
      affected: result.affected ?? 0,
      insertId: typeof raw === 'number' || typeof raw === 'bigint' ? Number(raw) : raw?.insertId,
    };
  }

  /**
   * SQLite, with prepared statements cached by SQL. Asked for arrays, a SELECT's rows come as arrays of
   * values (better-sqlite3's raw mode, from a statement of its own): much cheaper for the driver to build
   * than objects keyed by column, and the model layer maps them to records itself.
   */
  private sqlite(sql: string, binds: unknown[], arrays = false): QueryOutcome {
    if (arrays && !this.schemaChecked) this.checkSchema();
    const cache = arrays ? this.arrayStatements : this.statements;
    let stmt = cache.get(sql);
    if (!stmt) {
      const conn = (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
      stmt = conn.prepare(sql);
      if (stmt.reader && this.bigintTables.size) for (const t of this.bigintTables) if (sql.includes(t)) stmt.safeIntegers(true);
      // At most one row (find, first, exists): step once with get() rather than collecting with all().
      stmt.single = stmt.reader && sql.endsWith(' LIMIT 1');
      // Its column names are read after it first runs: a statement prepared against a schema another
      // connection has since changed is re-prepared by SQLite when stepped, and only then are they current.
      if (arrays && stmt.reader) stmt.raw(true);
      if (cache.size >= STATEMENT_CACHE_LIMIT) cache.clear();
      cache.set(sql, stmt);
    }
    if (stmt.reader) {
      if (stmt.single) {
        const row = stmt.get(binds);
        if (arrays && (stmt.names === undefined || (row !== undefined && row.length !== stmt.names.length))) stmt.names = stmt.columns().map((c) => c.name);
        return { rows: row === undefined ? [] : [row], affected: 0, columns: stmt.names };
      }
      const rows = stmt.all(binds);
      // `SELECT *` after a column was added or dropped: the names are read again.
      if (arrays && (stmt.names === undefined || (rows.length && rows[0].length !== stmt.names.length))) stmt.names = stmt.columns().map((c) => c.name);
      return { rows, affected: 0, columns: stmt.names };
    }
    const r = stmt.run(binds);
    return { rows: [], affected: r.changes, insertId: Number(r.lastInsertRowid) };
  }

  /**
   * PostgreSQL: a SELECT is sent as a named prepared statement (one name per SQL text, up to a cap), so
   * each pooled connection parses and plans a query shape once rather than on every call. Asked for
   * arrays, its rows come as arrays of the values' text (pg-text.ts): node-postgres builds no object per
   * row and parses no value; the model layer's row mapper converts each column as the layout says. It runs
   * on a client held out of the pool (pg-lease.ts: no pool bookkeeping per statement). A model read whose
   * connection was lost is sent once more.
   */
  private pg(sql: string, binds: unknown[], arrays = false): Promise<QueryOutcome> {
    let name = this.pgNames.get(sql);
    if (name === undefined && this.pgNames.size < PG_PREPARED_LIMIT && sql.startsWith('SELECT ')) {
      name = `stryke_${this.pgNames.size}`;
      this.pgNames.set(sql, name);
    }
    const query = arrays ? this.textQuery(name, sql, binds) : name ? { name, text: sql, values: binds } : { text: sql, values: binds };
    // One promise per statement, settled from the driver's callback.
    return new Promise((resolve, reject) => this.pgSend(query, (err, r) => {
      if (err) this.pgRetry(sql, binds, arrays, name, err).then(resolve, reject);
      else {
        try {
          resolve(this.pgOutcome(sql, r, arrays));
        } catch (e) {
          reject(e);
        }
      }
    }));
  }

  /** A statement that failed: sent once more when that can succeed, else its error goes on. */
  private async pgRetry(sql: string, binds: unknown[], arrays: boolean, name: string | undefined, err: Error): Promise<QueryOutcome> {
    const code = (err as { code?: string }).code;
    if (name && code === '0A000') {
      // A table changed under a prepared statement ("cached plan must not change result type"): unnamed from now on.
      this.pgNames.set(sql, '');
    } else if (!(arrays && connectionLost(err))) {
      throw err;
    }
    // Or a model read (a plain SELECT) whose connection was lost (a backend terminated, a server restart):
    // tried once more, on another connection.
    const again = arrays ? this.textQuery(code === '0A000' ? undefined : name, sql, binds) : { text: sql, values: binds };
    const r = await new Promise<PgResult>((resolve, reject) => this.pgSend(again, (e, res) => (e ? reject(e) : resolve(res))));
    return this.pgOutcome(sql, r, arrays);
  }

  private pgOutcome(sql: string, r: PgResult, arrays: boolean): QueryOutcome {
    if (!arrays) return { rows: r.rows ?? [], affected: r.rowCount ?? 0 };
    const t = r as unknown as PgTextResult;
    return { rows: t.rows, affected: t.rowCount ?? 0, columns: this.pgLayout(sql, t.fields) };
  }

  /** Sends a query outside a transaction: on a client held out of the pool, or the pool's own when all are busy. */
  private pgSend(query: object, cb: PgCallback): void {
    const pool = (this.dataSource.driver as unknown as { master: PgLeasePool }).master;
    if (this.closing) pool.query(query, cb);
    else (this.pgLease ??= new PgLease(pool)).query(query, cb);
  }

  /** How many clients the connection holds out of node-postgres's pool now (PostgreSQL; 0 elsewhere). */
  get heldClients(): number {
    return this.pgLease?.size ?? 0;
  }

  /** A query whose rows come as arrays of the values' text (pg-text.ts). */
  private textQuery(name: string | undefined, sql: string, binds: unknown[]): object {
    this.pgTextQuery ??= textQueryClass(this.pgModule().Query);
    return new this.pgTextQuery(name, sql, binds);
  }

  /** node-postgres, as TypeORM's driver loaded it. */
  private pgModule(): PgModule {
    return (this.dataSource.driver as unknown as { postgres: PgModule }).postgres;
  }

  /**
   * The layout of a result read as text arrays: its column names (the same array while the names and types
   * stay the same: the model layer keeps one row mapper per array) and, as `text`, each column's type and
   * the driver's parser for it. Checked on every result: another connection of the pool may have prepared
   * the statement after the table changed.
   */
  private pgLayout(sql: string, fields: readonly { name: string; dataTypeID: number }[]): ColumnLayout {
    const known = this.pgColumns.get(sql);
    if (known && known.length === fields.length) {
      const oids = known.text!.oids;
      let i = 0;
      while (i < fields.length && fields[i]!.name === known[i] && fields[i]!.dataTypeID === oids[i]) i++;
      if (i === fields.length) return known;
    }
    const types = this.pgModule().types;
    const layout: ColumnLayout = Object.assign(fields.map((f) => f.name), {
      text: {
        oids: fields.map((f) => f.dataTypeID),
        parsers: fields.map((f) => types.getTypeParser(f.dataTypeID, 'text')),
        reader: pgTextReader,
      },
    });
    if (this.pgColumns.size >= STATEMENT_CACHE_LIMIT) this.pgColumns.clear();
    this.pgColumns.set(sql, layout);
    return layout;
  }

  private mysql(sql: string, binds: unknown[]): Promise<QueryOutcome> {
    const pool = (this.dataSource.driver as unknown as { pool: MysqlPool }).pool;
    return new Promise((resolve, reject) => {
      pool.query(sql, binds, (err, result) => {
        if (err) return reject(err);
        if (Array.isArray(result)) resolve({ rows: result, affected: 0 });
        else resolve({ rows: [], affected: result?.affectedRows ?? 0, insertId: result?.insertId });
      });
    });
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
    try {
      await runner.startTransaction();
      let result: R;
      try {
        result = await transactionStore.run(scope, () => fn(scope));
      } catch (err) {
        scope.done = true;
        await runner.rollbackTransaction();
        await runRollbackCallbacks(scope.records);
        throw err;
      }
      scope.done = true;
      await runner.commitTransaction();
      await runCommitCallbacks(scope.records);
      return result;
    } finally {
      if (this.config.adapter !== 'sqlite') await runner.release();
      if (release) {
        this.sqliteGate = null;
        release();
      }
    }
  }

  /**
   * Rows read as arrays are mapped by the column names their statement had when it was prepared. Another
   * process may change the schema meanwhile (a migration dropping one column and adding another keeps the
   * count): SQLite then re-prepares the statement, and stale names would put values in the wrong fields. So
   * once per turn of the event loop that reads, the schema version is compared, and a change drops the cached
   * statements with their names. One tiny statement per turn, not per query.
   */
  private checkSchema(): void {
    this.schemaChecked = true;
    setImmediate(() => (this.schemaChecked = false)).unref();
    if (!this.schemaStatement) {
      const conn = (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
      this.schemaStatement = conn.prepare('PRAGMA schema_version');
      this.schemaStatement.pluck(true);
    }
    const version = this.schemaStatement.get([]);
    if (this.schemaVersion !== undefined && version !== this.schemaVersion) this.arrayStatements.clear();
    this.schemaVersion = version;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.pgLease?.close();
    this.schemaStatement = undefined;
    this.statements.clear();
    this.arrayStatements.clear();
    this.pgColumns.clear();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** Whether a PostgreSQL error says the connection itself was lost (not that the statement failed). */
function connectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
  const message = (err as { message?: unknown })?.message;
  return typeof message === 'string' && /^Connection terminated|not queryable|ECONNRESET|EPIPE/.test(message);
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
