/**
 * What `stryke start` refuses to start without: the SQLite file (checked by the primary, from the config alone)
 * and a database that has run every migration (checked by each worker on the connection it boots with, one
 * SELECT, so the primary loads no database driver, no ORM and no migration code).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { loadConfig } from '../../config';
import { migrationFiles, pendingMigrations } from '../../migrations/internal';
// The config readers only: the primary loads no pool or driver code (db/index.ts brings those).
import { databaseConfig, sqlitePath } from '../../db/internal';
import type { DatabaseConfig } from '../../orm';
import type { Database } from '../../orm';
import { CliErrors } from '../errors';

interface Target {
  config: DatabaseConfig;
  /** `sqlite database dist/db/production.sqlite3`, `postgres database blog`. */
  named: string;
  /** ` --env production`, for the command the message names. */
  hint: string;
  file?: string;
}

function target(root: string, env: string, config = databaseConfig(loadConfig(root, env).database)): Target {
  // A SQLite file is named as found from here (`dist/db/production.sqlite3` when start runs a build).
  const file = config.adapter === 'sqlite' && config.database !== ':memory:' ? sqlitePath(config, root) : undefined;
  const named = file ? `sqlite database ${relative(process.cwd(), file) || file}` : `${config.adapter} database ${config.database}`;
  return { config, named, hint: env === 'development' ? '' : ` --env ${env}`, file };
}

/** The primary's check: an app with migrations whose SQLite file does not exist yet fails in one line. */
export function checkDatabaseFile(root: string, env: string): void {
  if (!migrationFiles(root).length) return;
  const t = target(root, env);
  if (t.file && !existsSync(t.file)) throw CliErrors.NO_DATABASE(t.named, t.hint);
}

/** A worker's check, on its booted app's connection: pending migrations fail the boot (the primary prints the line and stops). */
export async function refusePendingMigrations(db: Database, root: string, env: string, config?: DatabaseConfig): Promise<void> {
  let pending: { version: string; name: string }[];
  try {
    pending = await pendingMigrations(db, root);
  } catch {
    return; // the database cannot be read now: the app serves 503 and /ready says why
  }
  if (!pending.length) return;
  const t = target(root, env, config);
  const names = pending.slice(0, 3).map((m) => `${m.version} ${m.name}`).join(', ') + (pending.length > 3 ? ', ...' : '');
  throw CliErrors.PENDING_MIGRATIONS(t.named, pending.length, names, t.hint);
}

/**
 * A build's files (`build/**`, run unbundled by the db commands, or by `start` without the server bundle) require
 * `stryke` and the app's packages from where the build is: one written outside the app (`stryke build --out`)
 * finds them only once its own dependencies are installed. Refused in one line rather than a module-not-found
 * stack from the first migration or model.
 */
export function checkPackages(root: string): void {
  if (!existsSync(join(root, 'build')) || inSingleExecutable()) return;
  if (!resolvesStryke(root)) throw CliErrors.NO_PACKAGES(relative(process.cwd(), root) || root);
}

/**
 * Whether `require('stryke')` works from a file in `dir`, as the build's own modules ask it. (Not this module's
 * `require.resolve('stryke', { paths })`: inside the stryke package that resolves the package itself.)
 */
export function resolvesStryke(dir: string): boolean {
  try {
    createRequire(join(dir, 'index.js')).resolve('stryke');
    return true;
  } catch {
    return false;
  }
}

/** Whether this process is a single executable (`stryke build --single`): it carries its packages. */
export function inSingleExecutable(): boolean {
  try {
    return (require('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    return false;
  }
}
