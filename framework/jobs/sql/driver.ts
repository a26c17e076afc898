import { EventEmitter } from 'node:events';

/** One statement runner: the connection itself, or a transaction on it. Placeholders are `?`. */
export interface Exec {
  all<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs an INSERT; resolves to the first auto-increment id it generated. */
  insert(sql: string, params?: unknown[]): Promise<number>;
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
  /** Whether auto job ids come from `seq` (MySQL: unique, increasing, not contiguous). */
  readonly idsFromSeq: boolean;
  /** `INSERT ... ON CONFLICT/DUPLICATE KEY UPDATE` of `cols` keyed by `keys`. */
  upsert(table: string, cols: string[], keys: string[], update: string[]): string;
  /** `INSERT OR IGNORE` / `INSERT IGNORE`. */
  insertIgnore: string;
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
