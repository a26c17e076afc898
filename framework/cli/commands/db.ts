import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createApp } from '../../app/create-app';
import { currentEnv, loadConfig } from '../../config/load';
import { createDatabase, dropDatabase } from '../../migrations/admin';
import { Migrator } from '../../migrations/runner';
import { Database, databaseConfig, type DatabaseConfig } from '../../orm/connection';
import { appRoot, compileApp } from '../app-root';
import { CliErrors } from '../errors';
import { action, paint } from '../output';

interface DbOptions {
  root?: string;
  env?: string;
}

function context(opts: DbOptions) {
  const root = appRoot(opts.root);
  const env = opts.env ?? currentEnv();
  const config = databaseConfig(loadConfig(root, env).database);
  return { root, env, config };
}

function label(c: DatabaseConfig): string {
  return `${c.adapter} database ${c.database}`;
}

async function withDb<T>(root: string, config: DatabaseConfig, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.connect(config, root);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function migrate(root: string, config: DatabaseConfig, to?: string): Promise<string[]> {
  if (await createDatabase(config, root)) console.log(`Created ${label(config)}`);
  compileApp(root);
  return withDb(root, config, (db) => new Migrator(db, root, (l) => console.log(l)).migrate({ to }));
}

async function seed(root: string, env: string, config: DatabaseConfig): Promise<void> {
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

export function registerDb(program: Command): void {
  const db = program.command('db').description('create, migrate and inspect the database (DATABASE_URL overrides config/database.toml)');
  const common = (c: Command) => c.option('--root <dir>', 'the app directory (default: current)').option('-e, --env <env>', 'environment (default: STRYKE_ENV or development)');

  common(db.command('create').description('create the database')).action(action(async (opts: DbOptions) => {
    const { root, config } = context(opts);
    console.log((await createDatabase(config, root)) ? `Created ${label(config)}` : `${label(config)} already exists`);
  }));

  common(db.command('drop').description('drop the database')).action(action(async (opts: DbOptions) => {
    const { root, config } = context(opts);
    console.log((await dropDatabase(config, root)) ? `Dropped ${label(config)}` : `${label(config)} does not exist`);
  }));

  common(db.command('migrate').description('apply pending migrations (creates the database if needed)').option('--to <version>', 'stop after this version'))
    .action(action(async (opts: DbOptions & { to?: string }) => {
      const { root, config } = context(opts);
      const applied = await migrate(root, config, opts.to);
      if (!applied.length) console.log('Nothing to migrate: the database is up to date.');
    }));

  common(db.command('rollback').description('revert the last migration (or --step N)').option('--step <n>', 'how many', '1'))
    .action(action(async (opts: DbOptions & { step: string }) => {
      const { root, config } = context(opts);
      const step = Number(opts.step);
      if (!Number.isInteger(step) || step < 1) throw CliErrors.BAD_OPTION(`--step must be a positive integer, not "${opts.step}"`);
      compileApp(root);
      const reverted = await withDb(root, config, (d) => new Migrator(d, root, (l) => console.log(l)).rollback(step));
      if (!reverted.length) console.log('Nothing to roll back.');
    }));

  common(db.command('status').description('list migrations, applied (up) or pending (down)')).action(action(async (opts: DbOptions) => {
    const { root, config } = context(opts);
    await createDatabase(config, root);
    const rows = await withDb(root, config, (d) => new Migrator(d, root).status());
    console.log(`${label(config)}\n`);
    console.log(' Status   Migration ID    Migration Name');
    console.log('--------------------------------------------------');
    for (const r of rows) console.log(`   ${r.state === 'up' ? paint.green('up  ') : paint.red('down')}   ${r.version}  ${r.name}`);
    if (!rows.length) console.log('   (no migrations in db/migrations)');
  }));

  common(db.command('seed').description('load db/seeds.ts')).action(action(async (opts: DbOptions) => {
    const { root, env, config } = context(opts);
    await seed(root, env, config);
  }));

  common(db.command('prepare').description('create the database if needed, migrate it, and seed it when it was just created'))
    .action(action(async (opts: DbOptions) => {
      const { root, env, config } = context(opts);
      const created = await createDatabase(config, root);
      if (created) console.log(`Created ${label(config)}`);
      await migrate(root, config);
      if (created) await seed(root, env, config);
    }));
}
