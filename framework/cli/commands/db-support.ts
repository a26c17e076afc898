import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type * as AppModule from '../../app';
import { buildDirOf, loadAppCode } from '../../app';
import { migrationVersion } from '../../generators';
import type * as Migrations from '../../migrations';
import type * as MigrationsInternal from '../../migrations/internal';
import { registry } from '../../registry';
import { requireAppFile, underscore } from '../../support';
import { currentEnv, loadConfig } from '../../config';
import type { MigrationEvent, MigrationStatus } from '../../migrations';
import type { DatabaseConfig } from '../../orm';
import type * as Orm from '../../orm';
import type * as Server from '../../server';
import { appRoot, compileApp } from '../app-root';
import { checkPackages } from './start-checks';
import { CliErrors } from '../errors';
import { paint } from '../output';
import { Progress, type ModeOptions, type Step } from '../progress';
import { lazyModule } from '../../support';

// Loaded on first use: `stryke --help` and the commands that do not need them load none of these (support/lazy.ts).
const migrations = () => require('../../migrations') as typeof Migrations;
const { checkReversible, Migrator, dumpSchema, loadSchema, readSchema, writeSchema, createDatabase, dropDatabase, MigrationErrors } =
  lazyModule(migrations);
const { diffSchema, diffSource } = lazyModule(() => require('../../migrations/internal') as typeof MigrationsInternal);
const { isDist } = lazyModule(() => require('../../server') as typeof Server);
const { Database, databaseConfig, sqlitePath } = lazyModule(() => require('../../orm') as typeof Orm);
// Loaded on first use, so `stryke --help` and the commands that boot nothing do not load the framework.
const { createApp } = lazyModule(() => require('../../app') as typeof AppModule);

export interface DbOptions extends ModeOptions {
  root?: string;
  env?: string;
  /** `--dump` / `--no-dump` (undefined: neither given) */
  dump?: boolean;
}

export function context(opts: DbOptions) {
  const env = opts.env ?? currentEnv();
  const root = runRoot(appRoot(opts.root), env);
  if (isDist(root)) checkPackages(root);
  const section = loadConfig(root, env).database;
  const config = databaseConfig(section);
  return { root, env, config, dumps: dumpsSchema(env, opts.dump, section?.dump_schema_after_migration) };
}

/**
 * Whether a command that changed the schema writes db/schema.json afterwards: `--dump` / `--no-dump`, else
 * config/database.toml's `dump_schema_after_migration`, else everywhere but production, as Rails does. A deploy
 * migrates the schema the repository's db/schema.json already describes; writing it would change the deployed
 * folder (which may be read-only, or a release shared by several machines).
 */
export function dumpsSchema(env: string, flag: boolean | undefined, configured: unknown): boolean {
  if (flag !== undefined) return flag;
  if (typeof configured === 'boolean') return configured;
  return env !== 'production';
}

/**
 * The directory a command runs the app from, as `stryke start` does: in production, an app with a complete
 * `stryke build` runs from dist/, so its database commands work there too (a relative SQLite path names
 * `dist/db/production.sqlite3`, the file `start` opens, whichever of the two directories the command runs in).
 */
export function runRoot(given: string, env: string): string {
  if (env === 'production' && !isDist(given) && isDist(join(given, 'dist'))) return join(given, 'dist');
  return given;
}

/**
 * Before `stryke start` forks its workers: the database exists and has run every migration, or the start is
 * refused with the command to run. A database that cannot be reached is left to the workers' boot to report.
 */
export async function checkMigrated(root: string, env: string): Promise<void> {
  const has = (dir: string, ext: string) => existsSync(join(root, dir)) && readdirSync(join(root, dir)).some((f) => f.endsWith(ext) && !f.endsWith('.d.ts'));
  if (!has('db/migrations', '.ts') && !has('build/db/migrations', '.js')) return;
  const config = databaseConfig(loadConfig(root, env).database);
  const hint = env === 'development' ? '' : ` --env ${env}`;
  // A SQLite file is named as found from here (`dist/db/production.sqlite3` when start runs a build).
  const file = config.adapter === 'sqlite' && config.database !== ':memory:' ? sqlitePath(config, root) : undefined;
  const named = file ? `sqlite database ${relative(process.cwd(), file) || file}` : label(config);
  if (file && !existsSync(file)) throw CliErrors.NO_DATABASE(named, hint);
  let pending: { version: string; name: string }[];
  try {
    pending = await withDb(root, config, (db) => migrator(db, root).pending());
  } catch {
    return;
  }
  if (pending.length) {
    const names = pending.slice(0, 3).map((m) => `${m.version} ${m.name}`).join(', ') + (pending.length > 3 ? ', ...' : '');
    throw CliErrors.PENDING_MIGRATIONS(named, pending.length, names, hint);
  }
}

export function label(c: DatabaseConfig): string {
  return `${c.adapter} database ${c.database}`;
}

export async function withDb<T>(root: string, config: DatabaseConfig, fn: (db: Orm.Database) => Promise<T>): Promise<T> {
  const db = await Database.connect(config, root);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const print = (l: string) => console.log(l);

/** What a migration's progress step says. */
function migrationLabels(e: MigrationEvent) {
  const [doing, done] = e.direction === 'up' ? ['migrating', 'migrated'] : ['reverting', 'reverted'];
  return { id: `${e.direction === 'up' ? 'migrate' : 'revert'}:${e.version}`, doing: `${doing} ${e.version} ${e.name}`, done: `${done} ${e.version} ${e.name}` };
}

/** A migrator that reports each migration as a progress step of `out`, its operations as the step's details. */
export function migrator(db: Orm.Database, root: string, lockTimeout?: string, out?: Progress): Migrations.Migrator {
  let lockTimeoutMs: number | undefined;
  if (lockTimeout !== undefined) {
    const s = Number(lockTimeout);
    if (!Number.isFinite(s) || s < 0) throw CliErrors.BAD_OPTION(`--lock-timeout must be a number of seconds, not "${lockTimeout}"`);
    lockTimeoutMs = s * 1000;
  }
  if (!out) return new Migrator(db, root, print, { lockTimeoutMs });
  let current: Step | undefined;
  return new Migrator(db, root, (line) => (current ? current.detail(line) : out.info(line)), {
    lockTimeoutMs,
    onMigration: (e) => {
      if (e.phase === 'start') current = out.begin(migrationLabels(e));
      else if (e.phase === 'done') current?.done();
      else current?.fail(e.error);
      if (e.phase !== 'start') current = undefined;
    },
  });
}

/** Writes db/schema.json from the database. */
export async function dump(root: string, db: Orm.Database, out: Progress): Promise<void> {
  writeSchema(root, await dumpSchema(db));
  out.info(`Wrote ${migrations().SCHEMA_FILE}`, { wrote: migrations().SCHEMA_FILE });
}

/** Creates the database when it does not exist, saying so. */
export async function create(root: string, config: DatabaseConfig, out: Progress): Promise<boolean> {
  const created = await createDatabase(config, root);
  if (created) out.info(`Created ${label(config)}`, { created: config.database });
  return created;
}

/** Migrates (creating the database first); `dump`: write db/schema.json when something ran (see dumpsSchema). */
export async function migrate(root: string, config: DatabaseConfig, out: Progress, options: { to?: string; dump: boolean; lockTimeout?: string }): Promise<string[]> {
  await create(root, config, out);
  await compileApp(root, { progress: out });
  return withDb(root, config, async (db) => {
    const done = await migrator(db, root, options.lockTimeout, out).migrate({ to: options.to });
    if (done.length && options.dump) await dump(root, db, out);
    return done;
  });
}

export function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw CliErrors.BAD_OPTION(`${flag} must be a positive integer, not "${value}"`);
  return n;
}

export async function seed(root: string, env: string, config: DatabaseConfig, out: Progress): Promise<void> {
  await compileApp(root, { progress: out });
  const file = join(root, 'build', 'db', 'seeds.js');
  if (!existsSync(file)) {
    out.info('No db/seeds.ts: nothing to seed.');
    return;
  }
  await out.step({ id: 'seed', doing: 'seeding the database', done: 'seeded the database' }, async () => {
    const app = await createApp({ root, env, database: config, logger: false, jobWorkers: 'none' });
    try {
      const mod = requireAppFile(file);
      const fn = mod.default ?? mod.seed;
      if (typeof fn !== 'function') throw CliErrors.SEEDS_MISSING();
      await fn(app);
    } finally {
      await app.close();
    }
  });
  out.info('Seeded.');
}

/** Builds the database from db/schema.json (which must exist); the database must have no tables. */
export async function schemaLoad(root: string, config: DatabaseConfig, out: Progress): Promise<void> {
  const schema = readSchema(root);
  await createDatabase(config, root);
  await out.step({ id: 'schema:load', doing: `loading ${migrations().SCHEMA_FILE}`, done: `loaded ${migrations().SCHEMA_FILE}` }, () => withDb(root, config, (db) => loadSchema(db, schema, label(config))));
  out.info(`Loaded ${migrations().SCHEMA_FILE} into ${label(config)}: ${schema.tables.length} table(s), ${schema.migrations.length} migration(s) marked applied`);
}

/** create, then schema:load (or migrate when there is no db/schema.json), then seed. */
export async function setup(root: string, env: string, config: DatabaseConfig, out: Progress, dump: boolean): Promise<void> {
  await create(root, config, out);
  if (existsSync(join(root, migrations().SCHEMA_FILE))) await schemaLoad(root, config, out);
  else await migrate(root, config, out, { dump });
  await seed(root, env, config, out);
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
  await compileApp(root, { progress: Progress.for() });
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

/** Writes (or with dryRun prints) the migration that takes the database to what the models declare. */
export async function diff(root: string, config: DatabaseConfig, opts: { name?: string; rename: string[]; new: string[]; dryRun?: boolean; allowDestructive?: boolean }): Promise<void> {
  const renames: Record<string, string> = {};
  for (const r of opts.rename) {
    const m = /^(\w+(?:\.\w+)?):(\w+)$/.exec(r);
    if (!m) throw MigrationErrors.DIFF_BAD_RENAME(r);
    renames[m[1]!] = m[2]!;
  }
  const name = opts.name ?? 'UpdateSchemaFromModels';
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) throw CliErrors.BAD_OPTION(`--name must be a class name such as AddSlugToPosts, not "${name}"`);
  // No progress line here: the output is the migration (or `--dry-run`'s text, which scripts redirect).
  await compileApp(root);
  loadAppCode(root);
  const models = registry.within(registry.models, buildDirOf(root));
  const live = await withDb(root, config, (db) => dumpSchema(db));
  const steps = diffSchema(config.adapter, models, live.tables, { renames, fresh: opts.new });
  if (!steps.length) {
    console.log(`${label(config)} matches the models: nothing to write.`);
    return;
  }
  let fileName = underscore(name);
  let className = name;
  for (let n = 2; existsSync(join(root, 'db', 'migrations')) && readdirSync(join(root, 'db', 'migrations')).some((f) => f.slice(15) === `${fileName}.ts`); n++) {
    fileName = `${underscore(name)}_${n}`;
    className = `${name}${n}`;
  }
  const source = diffSource(className, steps);
  const destructive = steps.filter((s) => s.destructive).map((s) => s.destructive!);
  const file = join('db', 'migrations', `${migrationVersion(root, fileName)}_${fileName}.ts`);
  if (opts.dryRun) {
    console.log(`# ${file} (dry run: not written)\n${source}`);
    if (destructive.length) console.log(`# ${destructive.length} destructive step(s): writing it needs --allow-destructive`);
    return;
  }
  if (destructive.length && !opts.allowDestructive) {
    for (const d of destructive) console.log(`destructive: ${d}`);
    throw MigrationErrors.DESTRUCTIVE(destructive.join('; '));
  }
  mkdirSync(join(root, 'db', 'migrations'), { recursive: true });
  writeFileSync(join(root, file), source);
  console.log(`create ${file}\nReview it, then run \`stryke db migrate\`.`);
}
