import { EventEmitter } from 'node:events';

/** One statement runner: the connection itself, or a transaction on it. Placeholders are `?`. */
export interface Exec {
  all<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs an INSERT; resolves to the first auto-increment id it generated. */
  insert(sql: string, params?: unknown[]): Promise<number>;
  /**
   * Inside a transaction: queues a statement whose result nobody needs, to travel with the next one (or the
   * COMMIT) in one round trip. Its error surfaces there, failing the transaction. See `defer` below.
   */
  defer?(sql: string, params?: unknown[]): void;
  /** Inside a transaction, where the database takes several statements at once: runs these reads in one round trip. */
  allMany?(queries: Array<[string, unknown[]]>): Promise<any[][]>;
}

/** Runs a statement whose result is not needed: queued with the next one where the Exec can, else now. */
export async function defer(x: Exec, sql: string, params?: unknown[]): Promise<void> {
  if (x.defer) x.defer(sql, params);
  else await x.run(sql, params);
}

export type SqlDialect = 'sqlite' | 'mysql';

/**
 * What the SQL queue backend needs from a database: statements, transactions that serialize writers
 * (SQLite: BEGIN IMMEDIATE; MySQL/MariaDB: row locks with SKIP LOCKED claims), a counter, and a
 * process-local wake-up bus so a producer in this process wakes its workers without waiting for a poll.
 */
export interface SqlDriver extends Exec {
  readonly dialect: SqlDialect;
  /** Identifies the database (file or server + schema) for the in-process wake-up bus. */
  readonly key: string;
  /** Appended to a claim's SELECT: `FOR UPDATE SKIP LOCKED` where the database has it. */
  readonly claimLock: string;
  readonly bus: EventEmitter;
  /** Runs `fn` in one transaction, retrying on busy/deadlock errors; commits when it resolves. */
  tx<T>(fn: (x: Exec) => Promise<T>): Promise<T>;
  /**
   * Adds `by` to the counter `name` of `queue` inside a transaction; returns the new value (the last of
   * `by` consecutive ones). MySQL draws `seq` (and job ids) from an auto-increment table instead of a
   * counter row, so concurrent adds never wait on one row lock until commit.
   */
  bump(x: Exec, queue: string, name: string, by: number): Promise<number>;
  /** Whether `bump(x, q, name, n)` hands out n consecutive values no other transaction can get (known after `ready`). */
  blockIds(): boolean;
  /** Whether auto job ids come from `seq` (MySQL: unique, increasing, not contiguous). */
  readonly idsFromSeq: boolean;
  /**
   * Whether `bump(x, queue, 'id', n)` leaves `x` alone (MySQL: ids are reserved on a connection of their own),
   * so the reservation may run beside the transaction's own statements instead of after them.
   */
  readonly idsApart: boolean;
  /** `INSERT ... ON CONFLICT/DUPLICATE KEY UPDATE` of `cols` keyed by `keys`. */
  upsert(table: string, cols: string[], keys: string[], update: string[]): string;
  /** `INSERT OR IGNORE` / `INSERT IGNORE`. */
  insertIgnore: string;
  /** Whether `err` means the connection was lost or could not be made (worth retrying on a fresh one). */
  isConnectionError(err: unknown): boolean;
  /** Resolves once connected and the jobs schema exists. */
  ready(): Promise<void>;
  /** Drops one reference; the last one closes the connection. */
  release(): Promise<void>;
}

const buses = new Map<string, EventEmitter>();

/** The wake-up bus shared by every backend of this process on one database. */
export function busFor(key: string): EventEmitter {
  let bus = buses.get(key);
  if (!bus) {
    bus = new EventEmitter();
    bus.setMaxListeners(0);
    buses.set(key, bus);
  }
  return bus;
}

/** Builds a multi-row `VALUES (?, ?), (?, ?)` list. */
export function valuesList(rows: number, cols: number): string {
  const one = `(${new Array(cols).fill('?').join(', ')})`;
  return new Array(rows).fill(one).join(', ');
}

/** `?, ?, ?` for an IN list. */
export function marks(n: number): string {
  return new Array(n).fill('?').join(', ');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
