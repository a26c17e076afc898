import { existsSync, rmSync } from 'node:fs';
import type { DataSourceOptions } from 'typeorm';
import { DataSource } from 'typeorm/data-source/DataSource';
import { sqlitePath, type DatabaseConfig } from '../orm';
import { dataSourceOptions } from './typeorm';
import { dialectFor } from '../orm/internal';

/** Runs `fn` on a connection to the server without selecting the app's database. */
async function withServer(config: DatabaseConfig, root: string, fn: (ds: DataSource) => Promise<void>): Promise<void> {
  const options: Record<string, unknown> = { ...dataSourceOptions(config, root), poolSize: 1 };
  // PostgreSQL always connects to some database: its maintenance one. MySQL connects to none.
  if (config.adapter === 'postgres') options.database = 'postgres';
  else delete options.database;
  const ds = new DataSource(options as unknown as DataSourceOptions);
  await ds.initialize();
  try {
    await fn(ds);
  } finally {
    await ds.destroy();
  }
}

/** Creates the app's database; false when it already existed. */
export async function createDatabase(config: DatabaseConfig, root: string): Promise<boolean> {
  if (config.adapter === 'sqlite') {
    const file = sqlitePath(config, root);
    if (file === ':memory:' || existsSync(file)) return false;
    const ds = new DataSource(dataSourceOptions(config, root));
    await ds.initialize();
    await ds.destroy();
    return true;
  }
  const q = dialectFor(config.adapter).quote(config.database);
  let created = false;
  await withServer(config, root, async (ds) => {
    if (config.adapter === 'postgres') {
      const rows = await ds.query('SELECT 1 FROM pg_database WHERE datname = $1', [config.database]);
      if (rows.length) return;
      await ds.query(`CREATE DATABASE ${q}`);
    } else {
      const rows = await ds.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [config.database]);
      if (rows.length) return;
      await ds.query(`CREATE DATABASE ${q} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    }
    created = true;
  });
  return created;
}

/** Drops the app's database; false when there was none. */
export async function dropDatabase(config: DatabaseConfig, root: string): Promise<boolean> {
  if (config.adapter === 'sqlite') {
    const file = sqlitePath(config, root);
    if (file === ':memory:' || !existsSync(file)) return false;
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    return true;
  }
  const q = dialectFor(config.adapter).quote(config.database);
  let dropped = false;
  await withServer(config, root, async (ds) => {
    const rows = config.adapter === 'postgres'
      ? await ds.query('SELECT 1 FROM pg_database WHERE datname = $1', [config.database])
      : await ds.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [config.database]);
    if (!rows.length) return;
    await ds.query(config.adapter === 'postgres' ? `DROP DATABASE ${q} WITH (FORCE)` : `DROP DATABASE ${q}`);
    dropped = true;
  });
  return dropped;
}
