/**
 * Migrations' framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their surfaces").
 * Light on purpose: serving asks whether migrations are pending (one SELECT, files.ts) without loading the runner
 * or its schema engine (TypeORM); `stryke db diff` loads the comparison of the models with the database on first use.
 */
export { migrationFiles, pendingMigrations, MIGRATIONS_TABLE, type MigrationFile } from './files';

type Diff = typeof import('./diff');

export function diffSchema(...args: Parameters<Diff['diffSchema']>): ReturnType<Diff['diffSchema']> {
  return (require('./diff') as Diff).diffSchema(...args);
}

export function diffSource(...args: Parameters<Diff['diffSource']>): ReturnType<Diff['diffSource']> {
  return (require('./diff') as Diff).diffSource(...args);
}
