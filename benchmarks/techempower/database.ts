/**
 * The PostgreSQL database the TechEmpower tests read and write (TE_DATABASE, TE_PGHOST, TE_PGUSER):
 * created when missing and seeded as TechEmpower's World and Fortune tables, for run.ts and instructions.ts.
 */
import { Pool } from 'pg';
import { seed } from '../http-db/run';

export const DATABASE = process.env.TE_DATABASE ?? 'stryke_te';
export const PG = { host: process.env.TE_PGHOST ?? '127.0.0.1', port: 5432, user: process.env.TE_PGUSER ?? 'postgres' };

export async function prepareDatabase(): Promise<void> {
  const admin = new Pool({ ...PG, database: 'postgres', max: 1 });
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${DATABASE.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  await seed({ adapter: 'postgres', host: PG.host, port: PG.port, username: PG.user, database: DATABASE });
}
