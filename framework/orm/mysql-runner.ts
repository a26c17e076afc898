/**
 * MySQL (and MariaDB) statements outside a transaction, straight to mysql2's pool, and the UTC time zone
 * every session of that pool runs in.
 */
import type { DataSource } from 'typeorm';
import type { QueryOutcome } from './query-outcome';

type MysqlPool = { query(sql: string, binds: unknown[], cb: (err: Error | null, result: any) => void): void };

const UTC = "SET time_zone = '+00:00'";

/**
 * MySQL's DATETIME has no zone: stryke writes UTC (mysql2 with `timezone: 'Z'`), so every session runs in
 * UTC too, and `NOW()` or a `CURRENT_TIMESTAMP` default agrees with it whatever the server's zone.
 */
export async function utcSessions(ds: DataSource): Promise<void> {
  const pool = (ds.driver as unknown as { pool?: { on(event: 'connection', fn: (c: { query(sql: string, cb: () => void): void }) => void): void } }).pool;
  pool?.on('connection', (c) => c.query(UTC, () => {}));
  await ds.query(UTC); // the one connection TypeORM opened (and pooled) while initializing
}

/** Runs a statement on the pool TypeORM's driver opened: one promise, settled from mysql2's callback. */
export function runMysql(dataSource: DataSource, sql: string, binds: unknown[]): Promise<QueryOutcome> {
  const pool = (dataSource.driver as unknown as { pool: MysqlPool }).pool;
  return new Promise((resolve, reject) => {
    pool.query(sql, binds, (err, result) => {
      if (err) return reject(err);
      if (Array.isArray(result)) resolve({ rows: result, affected: 0 });
      else resolve({ rows: [], affected: result?.affectedRows ?? 0, insertId: result?.insertId });
    });
  });
}
