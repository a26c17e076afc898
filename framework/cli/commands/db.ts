import type { Command } from 'commander';
import { lazyModule } from '../../support';
import type * as AdminModule from '../../migrations';
import type * as SchemaDumpModule from '../../migrations';
import { compileApp } from '../app-root';
import { action } from '../output';
import { Progress } from '../progress';
import {
  context, create, diff, dump, label, migrate, migrator, positive, printStatus, reversibilityCheck, schemaLoad, seed, setup, withDb, type DbOptions,
} from './db-support';

// Loaded on first use: `stryke --help` and the commands that do not need them load none of these (support/lazy.ts).
const { readSchema } = lazyModule(() => require('../../migrations') as typeof SchemaDumpModule);
const { createDatabase, dropDatabase } = lazyModule(() => require('../../migrations') as typeof AdminModule);

interface MigrateOptions extends DbOptions {
  to?: string;
  lockTimeout?: string;
}

export function registerDb(program: Command): void {
  const db = program.command('db').description('create, migrate and inspect the database (DATABASE_URL overrides config/database.toml)');
  const common = (c: Command) => c.option('--root <dir>', 'the app directory (default: current)').option('-e, --env <env>', 'environment (default: STRYKE_ENV or development)');
  /** The commands with long steps: progress as they run, or nothing (`--quiet`), or JSON lines (`--json`). */
  const reporting = (c: Command) => c.option('-q, --quiet', 'print nothing but errors').option('--json', 'print progress and the result as JSON lines');
  /** `--dump` and `--no-dump` both declared: neither given leaves `dump` undefined (then dumpsSchema decides). */
  const dumping = (c: Command) => c
    .option('--dump', 'write db/schema.json afterwards (the default, but in production: see dump_schema_after_migration)')
    .option('--no-dump', 'do not write db/schema.json afterwards');
  const changing = (c: Command) => dumping(reporting(common(c)))
    .option('--lock-timeout <seconds>', 'how long to wait for another process migrating this database', '60');

  common(db.command('create').description('create the database')).action(action(async (opts: DbOptions) => {
    const { root, config } = context(opts);
    console.log((await createDatabase(config, root)) ? `Created ${label(config)}` : `${label(config)} already exists`);
  }));

  common(db.command('drop').description('drop the database')).action(action(async (opts: DbOptions) => {
    const { root, config } = context(opts);
    console.log((await dropDatabase(config, root)) ? `Dropped ${label(config)}` : `${label(config)} does not exist`);
  }));

  changing(db.command('migrate').description('apply pending migrations (creates the database if needed); --to VERSION migrates up or down to it')
    .option('--to <version>', 'stop at this version (reverting later ones that are applied); 0 reverts all'))
    .action(action(async (opts: MigrateOptions) => {
      const { root, config, dumps } = context(opts);
      const out = Progress.for(opts);
      const done = await migrate(root, config, out, { to: opts.to, lockTimeout: opts.lockTimeout, dump: dumps });
      if (!done.length) out.info('Nothing to migrate: the database is up to date.');
      out.result({ database: label(config), migrated: done });
    }));

  changing(db.command('rollback').description('revert the last migration (or --step N)').option('--step <n>', 'how many', '1'))
    .action(action(async (opts: MigrateOptions & { step: string }) => {
      const { root, config, dumps } = context(opts);
      const step = positive(opts.step, '--step');
      const out = Progress.for(opts);
      await compileApp(root, { progress: out });
      await withDb(root, config, async (d) => {
        const reverted = await migrator(d, root, opts.lockTimeout, out).rollback(step);
        if (!reverted.length) out.info('Nothing to roll back.');
        else if (dumps) await dump(root, d, out);
        out.result({ database: label(config), reverted });
      });
    }));

  changing(db.command('redo').description('roll back the last migration (or --step N) and apply it again').option('--step <n>', 'how many', '1'))
    .action(action(async (opts: MigrateOptions & { step: string }) => {
      const { root, config, dumps } = context(opts);
      const step = positive(opts.step, '--step');
      const out = Progress.for(opts);
      await compileApp(root, { progress: out });
      await withDb(root, config, async (d) => {
        const redone = await migrator(d, root, opts.lockTimeout, out).redo(step);
        if (!redone.length) out.info('Nothing to redo: no migration is applied.');
        else if (dumps) await dump(root, d, out);
        out.result({ database: label(config), redone });
      });
    }));

  common(db.command('status').description('list migrations: up (applied), down (pending) or partial (failed part-way on MySQL)')
    .option('--json', 'print { database, migrations: [{ version, name, state, ... }] } as JSON')).action(action(async (opts: DbOptions) => {
    const { root, config } = context(opts);
    await createDatabase(config, root);
    const rows = await withDb(root, config, (d) => migrator(d, root).status());
    if (opts.json) process.stdout.write(`${JSON.stringify({ database: label(config), migrations: rows })}\n`);
    else printStatus(config, rows);
  }));

  reporting(common(db.command('seed').description('load db/seeds.ts'))).action(action(async (opts: DbOptions) => {
    const { root, env, config } = context(opts);
    await seed(root, env, config, Progress.for(opts));
  }));

  dumping(reporting(common(db.command('setup').description('create the database, load db/schema.json (or migrate when there is none) and seed it'))))
    .action(action(async (opts: DbOptions) => {
      const { root, env, config, dumps } = context(opts);
      const out = Progress.for(opts);
      await setup(root, env, config, out, dumps);
      out.result({ database: label(config) });
    }));

  dumping(reporting(common(db.command('reset').description('drop the database, then setup: create, load db/schema.json (or migrate), seed'))))
    .action(action(async (opts: DbOptions) => {
      const { root, env, config, dumps } = context(opts);
      const out = Progress.for(opts);
      if (await dropDatabase(config, root)) out.info(`Dropped ${label(config)}`, { dropped: config.database });
      await setup(root, env, config, out, dumps);
      out.result({ database: label(config) });
    }));

  dumping(reporting(common(db.command('prepare').description('create the database if needed, migrate it, and seed it when it was just created'))))
    .action(action(async (opts: DbOptions) => {
      const { root, env, config, dumps } = context(opts);
      const out = Progress.for(opts);
      const created = await create(root, config, out);
      const migrated = await migrate(root, config, out, { dump: dumps });
      if (created) await seed(root, env, config, out);
      out.result({ database: label(config), created, migrated, seeded: created });
    }));

  common(db.command('schema:dump').description('write db/schema.json from the database')).action(action(async (opts: DbOptions) => {
    const { root, config } = context(opts);
    await withDb(root, config, (d) => dump(root, d, Progress.for()));
  }));

  common(db.command('schema:load').description('build an empty database from db/schema.json, faster than replaying migrations'))
    .action(action(async (opts: DbOptions) => {
      const { root, config } = context(opts);
      readSchema(root);
      await schemaLoad(root, config, Progress.for());
    }));

  common(db.command('check-reversible').description('prove every migration reversible on a scratch database (up, down, up; then all down and up)'))
    .action(action(async (opts: DbOptions) => {
      const { root, config } = context(opts);
      await reversibilityCheck(root, config);
    }));

  common(db.command('diff').description("write a migration taking the database to what the models' @Field declarations say")
    .option('--name <ClassName>', 'the migration\'s name (default UpdateSchemaFromModels)')
    .option('--rename <from:to>', 'a rename: posts.title:headline (column) or articles:posts (table); repeatable', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--new <table.column>', 'a column (or table) that is new, not renamed; repeatable', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--dry-run', 'print the migration instead of writing it')
    .option('--allow-destructive', 'write it even when it drops or narrows a column or table'))
    .action(action(async (opts: DbOptions & { name?: string; rename: string[]; new: string[]; dryRun?: boolean; allowDestructive?: boolean }) => {
      const { root, config } = context(opts);
      await diff(root, config, opts);
    }));
}
