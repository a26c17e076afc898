import type { Database } from '../orm';

/** What a migration that failed part-way on MySQL/MariaDB left behind. */
export interface FailureRecord {
  version: string;
  direction: 'up' | 'down';
  /** The steps that ran (and stay: MySQL commits each DDL statement). */
  applied: string[];
  /** The step that failed; it and every step after it did not run. */
  failed: string;
  error: string;
  failedAt?: string;
}

const TABLE = 'schema_migration_failures';

/**
 * MySQL and MariaDB commit each DDL statement as it runs, so a migration that fails part-way leaves its
 * first steps applied. This table says which: one row per such migration, until it next runs through.
 */
export async function ensureFailureTable(db: Database): Promise<void> {
  const q = db.dialect.quote;
  await db.run(`CREATE TABLE IF NOT EXISTS ${q(TABLE)} (${q('version')} varchar(255) NOT NULL PRIMARY KEY, ${q('direction')} varchar(4) NOT NULL, `
    + `${q('applied')} text NOT NULL, ${q('failed')} text NOT NULL, ${q('error')} text NOT NULL, ${q('failedAt')} varchar(32) NOT NULL)`);
}

export async function recordFailure(db: Database, f: FailureRecord): Promise<void> {
  const q = db.dialect.quote;
  const p = (i: number) => db.dialect.placeholder(i);
  await db.run(`DELETE FROM ${q(TABLE)} WHERE ${q('version')} = ${p(1)}`, [f.version]);
  await db.run(
    `INSERT INTO ${q(TABLE)} (${['version', 'direction', 'applied', 'failed', 'error', 'failedAt'].map(q).join(', ')}) VALUES (${[1, 2, 3, 4, 5, 6].map(p).join(', ')})`,
    [f.version, f.direction, JSON.stringify(f.applied), f.failed, f.error.slice(0, 2000), new Date().toISOString()],
  );
}

export async function clearFailure(db: Database, version: string): Promise<void> {
  const q = db.dialect.quote;
  await db.run(`DELETE FROM ${q(TABLE)} WHERE ${q('version')} = ${db.dialect.placeholder(1)}`, [version]);
}

export async function failures(db: Database): Promise<Map<string, FailureRecord>> {
  const q = db.dialect.quote;
  const rows = await db.select(`SELECT * FROM ${q(TABLE)}`);
  return new Map(rows.map((r) => [String(r.version), {
    version: String(r.version), direction: r.direction, applied: JSON.parse(r.applied), failed: r.failed, error: r.error, failedAt: r.failedAt,
  }]));
}
