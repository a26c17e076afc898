import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../app/create-app';
import { currentEnv, loadConfig } from '../../config/load';
import { createDatabase, dropDatabase } from '../../migrations/admin';
import { checkReversible } from '../../migrations/reversible';
import { Migrator, type MigrationStatus } from '../../migrations/runner';
import { dumpSchema, loadSchema, readSchema, SCHEMA_FILE, writeSchema } from '../../migrations/schema-dump';
import { Database, databaseConfig, type DatabaseConfig } from '../../orm/connection';
import { appRoot, compileApp } from '../app-root';
import { CliErrors } from '../errors';
import { paint } from '../output';

export interface DbOptions {
  root?: string;
  env?: string;
}

export function context(opts: DbOptions) {
  const root = appRoot(opts.root);
  const env = opts.env ?? currentEnv();
  const config = databaseConfig(loadConfig(root, env).database);
  return { root, env, config };
}

export function label(c: DatabaseConfig): string {
  return `${c.adapter} database ${c.database}`;
}

export async function withDb<T>(root: string, config: DatabaseConfig, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.connect(config, root);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const print = (l: string) => console.log(l);

export function migrator(db: Database, root: string, lockTimeout?: string): Migrator {
  let lockTimeoutMs: number | undefined;
  if (lockTimeout !== undefined) {
    const s = Number(lockTimeout);
    if (!Number.isFinite(s) || s < 0) throw CliErrors.BAD_OPTION(`--lock-timeout must be a number of seconds, not "${lockTimeout}"`);
    lockTimeoutMs = s * 1000;
  }
  return new Migrator(db, root, print, { lockTimeoutMs });
}

/** Writes db/schema.json from the database. */
export async function dump(root: string, db: Database): Promise<void> {
  writeSchema(root, await dumpSchema(db));
  console.log(`Wrote ${SCHEMA_FILE}`);
}

export async function migrate(root: string, config: DatabaseConfig, options: { to?: string; dump?: boolean; lockTimeout?: string } = {}): Promise<string[]> {
  if (await createDatabase(config, root)) console.log(`Created ${label(config)}`);
  compileApp(root);
  return withDb(root, config, async (db) => {
    const done = await migrator(db, root, options.lockTimeout).migrate({ to: options.to });
    if (done.length && options.dump !== false) await dump(root, db);
    return done;
  });
}

export function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw CliErrors.BAD_OPTION(`${flag} must be a positive integer, not "${value}"`);
  return n;
}

export async function seed(root: string, env: string, config: DatabaseConfig): Promise<void> {
  compileApp(root);
  const file = join(root, 'build', 'db', 'seeds.js');
  if (!existsSync(file)) {
    console.log('No db/seeds.ts: nothing to seed.');
    return;
  }
  const app = await createApp({ root, env, database: config, logger: false });
  try {
    const mod = require(file);
    const fn = mod.default ?? mod.seed;
    if (typeof fn !== 'function') throw CliErrors.SEEDS_MISSING();
    await fn(app);
    console.log('Seeded.');
  } finally {
    await app.close();
  }
}

/** Builds the database from db/schema.json (which must exist); the database must have no tables. */
export async function schemaLoad(root: string, config: DatabaseConfig): Promise<void> {
  const schema = readSchema(root);
  await createDatabase(config, root);
  await withDb(root, config, (db) => loadSchema(db, schema, label(config)));
  console.log(`Loaded ${SCHEMA_FILE} into ${label(config)}: ${schema.tables.length} table(s), ${schema.migrations.length} migration(s) marked applied`);
}

/** create, then schema:load (or migrate when there is no db/schema.json), then seed. */
export async function setup(root: string, env: string, config: DatabaseConfig): Promise<void> {
  if (await createDatabase(config, root)) console.log(`Created ${label(config)}`);
  if (existsSync(join(root, SCHEMA_FILE))) await schemaLoad(root, config);
  else await migrate(root, config);
  await seed(root, env, config);
}

export function printStatus(config: DatabaseConfig, rows: MigrationStatus[]): void {
  console.log(`${label(config)}\n`);
  console.log(' Status   Migration ID    Migration Name');
  console.log('--------------------------------------------------');
  for (const r of rows) {
    const state = r.state === 'up' ? paint.green('up     ') : r.state === 'partial' ? paint.red('partial') : paint.red('down   ');
    console.log(`   ${state}  ${r.version}  ${r.missing ? '** NO FILE **' : r.name}`);
    if (r.failure) {
      console.log(`            failed ${r.failure.direction} at ${r.failure.failed}: ${r.failure.error}`);
      console.log(`            applied, not undone: ${r.failure.applied.join('; ') || 'nothing'}`);
    }
  }
  if (!rows.length) console.log('   (no migrations in db/migrations)');
  const up = rows.filter((r) => r.state === 'up');
  console.log(`\nCurrent version: ${up.at(-1)?.version ?? 'none'}; ${rows.filter((r) => r.state === 'down').length} pending.`);
}

/** A throwaway database next to the app's, for the reversibility check. */
function scratch(config: DatabaseConfig): DatabaseConfig {
  if (config.adapter === 'sqlite') return { ...config, url: undefined, database: join(tmpdir(), `stryke-reversible-${process.pid}.sqlite3`) };
  return { ...config, url: undefined, database: `${config.database}_reversible`.slice(0, 63) };
}

export async function reversibilityCheck(root: string, config: DatabaseConfig): Promise<void> {
  compileApp(root);
  const target = scratch(config);
  await dropDatabase(target, root);
  await createDatabase(target, root);
  console.log(`Checking every migration on a scratch ${label(target)}`);
  try {
    const checked = await withDb(root, target, (db) => checkReversible(db, root, print));
    console.log(`Reversible: ${checked.length} migration(s).`);
  } finally {
    await dropDatabase(target, root);
  }
}
