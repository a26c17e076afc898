/**
 * The app's migration files, and which of them a database has not run: what a serving process needs to know
 * about migrations (the `stryke start` worker's refusal, `/ready`), without loading the migration runner, its
 * schema engine (TypeORM) or the migrations themselves.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../orm';
import { MigrationErrors } from './errors';

export interface MigrationFile {
  version: string;
  name: string;
  /** The TypeScript source, relative to the app root. */
  source: string;
  /** The compiled module. */
  compiled: string;
}

/** The table that records the versions run. */
export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * The app's migrations in version order: `db/migrations/*.ts` with their compiled modules under
 * `build/`; in a build without sources (`dist/`, deployed), the compiled `build/db/migrations/*.js`.
 */
export function migrationFiles(root: string): MigrationFile[] {
  const dir = join(root, 'db', 'migrations');
  const compiledDir = join(root, 'build', 'db', 'migrations');
  const sources = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')) : [];
  const fromBuild = !sources.length && existsSync(compiledDir);
  const names = fromBuild ? readdirSync(compiledDir).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, '.ts')) : sources;
  return names.sort().map((f) => {
    const m = /^(\d{14})_(\w+)\.ts$/.exec(f);
    if (!m) throw MigrationErrors.BAD_NAME(`db/migrations/${f}`);
    return {
      version: m[1]!, name: m[2]!, source: fromBuild ? `build/db/migrations/${f.replace(/\.ts$/, '.js')}` : `db/migrations/${f}`,
      compiled: join(compiledDir, f.replace(/\.ts$/, '.js')),
    };
  });
}

/**
 * The migration files `db` has not run, read with one SELECT (nothing is created: a database without the
 * versions table has run none). Use the Migrator to run them.
 */
export async function pendingMigrations(db: Database, root: string): Promise<MigrationFile[]> {
  const files = migrationFiles(root);
  if (!files.length) return [];
  const q = (id: string) => db.dialect.quote(id);
  let rows: Record<string, unknown>[];
  try {
    rows = await db.select(`SELECT ${q('version')} FROM ${q(MIGRATIONS_TABLE)}`);
  } catch (err) {
    // No versions table yet: nothing has run. Anything else (the database is down) is the caller's to report.
    if (/no such table|does not exist|doesn't exist/i.test((err as Error)?.message ?? '')) return files;
    throw err;
  }
  const done = new Set(rows.map((r) => String(r.version)));
  return files.filter((f) => !done.has(f.version));
}
