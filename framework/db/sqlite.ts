/**
 * SQLite: one better-sqlite3 connection per database file per process (the app's models, its SQL job queue
 * and TypeORM's schema commands share it), statements run synchronously, prepared once and cached by SQL
 * (one cache for rows as objects, one for rows as arrays), and the schema-version check that keeps the
 * arrays' column names current. Only better-sqlite3's public API: `new Database(file, { timeout })`,
 * `prepare`, `pragma`, statements' `raw`/`safeIntegers`/`pluck`/`columns`/`get`/`all`/`run`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { STATEMENT_CACHE_LIMIT, type QueryOutcome } from './outcome';

export type SqliteStatement = {
  readonly reader: boolean; single?: boolean; names?: readonly string[];
  get(binds: unknown[]): any; all(binds: unknown[]): any[]; run(binds: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  safeIntegers(on: boolean): unknown; raw(on: boolean): unknown; pluck(on: boolean): unknown; columns(): { name: string }[];
};

/** The part of better-sqlite3's Database stryke uses (the package ships no types). */
export interface SqliteHandle {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
  readonly inTransaction: boolean;
  readonly open: boolean;
}

/**
 * One SQLite connection of this process, shared by everyone who opens its file (the app's models, the SQL
 * job queue, TypeORM's schema commands), with the gate that keeps a transaction to itself: whoever holds
 * the gate has the connection's transaction; everyone else's statements wait for it to open again.
 */
export class SqliteShared {
  /** Set while a transaction holds the connection; resolves when it ends. */
  gate: Promise<void> | null = null;
  refs = 1;
  busyMs: number;

  constructor(readonly handle: SqliteHandle, readonly file: string, busyMs: number) {
    this.busyMs = busyMs;
  }

  /** Waits for the gate, takes it, and gives back the function that opens it again. */
  async lock(): Promise<() => void> {
    while (this.gate) await this.gate;
    let open!: () => void;
    this.gate = new Promise<void>((r) => (open = r));
    return () => {
      this.gate = null;
      open();
    };
  }
}

/** Open connections by file: a second open of one file in this process shares the first. */
const opened = new Map<string, SqliteShared>();

/**
 * Opens (or shares) the connection to `file`: WAL (a file's, so readers run beside one writer), foreign
 * keys enforced, and a busy timeout: how long a write waits for another process's write lock (shared, the
 * connection keeps the longest asked for).
 */
export function openSqlite(file: string, busyMs: number): SqliteShared {
  const key = file === ':memory:' ? undefined : file;
  const known = key ? opened.get(key) : undefined;
  if (known && known.handle.open) {
    known.refs++;
    if (busyMs > known.busyMs) {
      known.handle.pragma(`busy_timeout = ${Math.floor(busyMs)}`);
      known.busyMs = busyMs;
    }
    return known;
  }
  const Database = require('better-sqlite3') as new (file: string, options: { timeout: number }) => SqliteHandle;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const handle = new Database(file, { timeout: busyMs });
  handle.pragma('foreign_keys = ON');
  if (file !== ':memory:') {
    enableWal(handle, busyMs);
    // Said explicitly: better-sqlite3 is built with NORMAL as the default for a file that is already in WAL
    // when opened, but a connection that switches a new file to WAL keeps FULL until its next transaction
    // reads the header. With WAL, NORMAL keeps the database consistent through any crash and a committed
    // transaction through a crash of the process; only an OS crash or power cut may roll back the last
    // commits (FULL would fsync the log on every commit: 13x the fsyncs in the jobs benchmark). The models
    // and the SQL job queue share this connection, so a job and the rows it was enqueued with are as durable
    // as each other (docs/jobs.md, "Durability on SQLite").
    handle.pragma('synchronous = NORMAL');
  }
  const shared = new SqliteShared(handle, file, busyMs);
  if (key) opened.set(key, shared);
  return shared;
}

/**
 * Puts the file in WAL mode (kept in the file: a no-op once any connection has done it). Switching takes the file's
 * write lock from a read, and SQLite refuses that upgrade at once, without the busy timeout, while another process
 * holds the write lock: two `stryke start` workers opening a new file together, or a writer in rollback mode. So
 * a refusal is tried again, a few milliseconds later each time, for as long as the busy timeout allows.
 */
function enableWal(handle: SqliteHandle, busyMs: number): void {
  const deadline = Date.now() + busyMs;
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    try {
      handle.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if (!/^SQLITE_BUSY/.test(String((err as { code?: unknown })?.code)) || Date.now() >= deadline) throw err;
      // The open is synchronous (a connection is made in a constructor): wait without returning to the event loop.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    }
  }
}

/**
 * A connection of the caller's own to `file`, not shared (the job queue's, for work asked for inside the
 * app's transaction, which must see only what is committed). The caller closes it.
 */
export function openSideSqlite(file: string, busyMs: number): SqliteHandle {
  const Database = require('better-sqlite3') as new (file: string, options: { timeout: number }) => SqliteHandle;
  return new Database(file, { timeout: busyMs });
}

/** Drops one reference to a connection; the last one closes it. */
export function closeSqlite(shared: SqliteShared): void {
  if (--shared.refs > 0) return;
  if (opened.get(shared.file) === shared) opened.delete(shared.file);
  if (shared.handle.open) shared.handle.close();
}

export class SqliteRunner {
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly arrayStatements = new Map<string, SqliteStatement>();
  /** The schema version last seen, checked once per turn of the event loop that reads rows as arrays. */
  private schemaVersion: unknown = undefined;
  private schemaChecked = false;
  private schemaStatement: SqliteStatement | undefined;

  /** `bigintTables`: the database's own set of quoted names of tables with bigint columns (read, never copied). */
  constructor(readonly handle: SqliteHandle, private readonly bigintTables: ReadonlySet<string>) {}

  /**
   * Runs a statement, prepared once per SQL text. Asked for arrays, a SELECT's rows come as arrays of values
   * (better-sqlite3's raw mode, from a statement of its own): much cheaper for the driver to build than
   * objects keyed by column, and the model layer maps them to records itself.
   */
  run(sql: string, binds: unknown[], arrays = false): QueryOutcome {
    if (arrays && !this.schemaChecked) this.checkSchema();
    const cache = arrays ? this.arrayStatements : this.statements;
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = this.handle.prepare(sql);
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
      this.schemaStatement = this.handle.prepare('PRAGMA schema_version');
      this.schemaStatement.pluck(true);
    }
    const version = this.schemaStatement.get([]);
    if (this.schemaVersion !== undefined && version !== this.schemaVersion) this.arrayStatements.clear();
    this.schemaVersion = version;
  }

  /** Drops the cached statements (the connection is closing). */
  close(): void {
    this.schemaStatement = undefined;
    this.statements.clear();
    this.arrayStatements.clear();
  }
}
