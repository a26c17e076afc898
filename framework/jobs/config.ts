import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { currentEnv, loadConfig, type ConfigTree } from '../config';
import { databaseConfig, sqlitePath, type DatabaseConfig } from '../orm';
import { JobsErrors } from './errors';
import type { JobsSetup } from './runtime';

/** config/jobs.toml, with defaults. */
export interface JobsConfig {
  /** database: the app's own database; redis: BullMQ on Redis; memory: an in-process SQLite (lost at exit). */
  backend: 'database' | 'redis' | 'memory';
  /** For redis: `redis://host:6379/0` (default REDIS_URL, then 127.0.0.1:6379). */
  url?: string;
  /** In-process workers per app process (one process per core under `stryke start`); 0 for none. */
  workersPerCore: number;
  /** Jobs each worker runs at once. */
  concurrency: number;
  /** The queues workers take jobs from (default: every queue a loaded @Job class names). */
  queues?: string[];
}

export function readJobsConfig(config: ConfigTree): JobsConfig {
  const section = (config.jobs ?? {}) as Record<string, any>;
  const backend = String(section.backend ?? 'database');
  if (!['database', 'redis', 'memory'].includes(backend)) throw JobsErrors.BAD_CONFIG(`backend = "${backend}": use "database", "redis" or "memory"`);
  const workersPerCore = Number(section.workers_per_core ?? (config.env === 'test' ? 0 : 1));
  const concurrency = Number(section.concurrency ?? 5);
  if (!Number.isInteger(workersPerCore) || workersPerCore < 0) throw JobsErrors.BAD_CONFIG(`workers_per_core must be a whole number >= 0, got ${section.workers_per_core}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw JobsErrors.BAD_CONFIG(`concurrency must be a whole number >= 1, got ${section.concurrency}`);
  const queues = section.queues === undefined ? undefined : (section.queues as unknown[]).map(String);
  return { backend: backend as JobsConfig['backend'], url: section.url, workersPerCore, concurrency, queues };
}

function auth(db: DatabaseConfig): string {
  if (!db.username) return '';
  return `${encodeURIComponent(db.username)}${db.password ? `:${encodeURIComponent(db.password)}` : ''}@`;
}

/** The URL of the app's database for the jobs backend. */
export function databaseUrl(db: DatabaseConfig, root: string): string {
  switch (db.adapter) {
    case 'sqlite':
      return `sqlite:${sqlitePath(db, root)}`;
    case 'mysql':
      return `mysql://${auth({ ...db, username: db.username ?? 'root' })}${db.host ?? '127.0.0.1'}:${db.port ?? 3306}/${db.database}`;
    case 'postgres':
      return `postgres://${auth(db)}${db.host ?? '127.0.0.1'}:${db.port ?? 5432}/${db.database}`;
  }
}

/** Where the jobs of the app at `root` go, from config/jobs.toml and config/database.toml. */
export function jobsSetup(root: string, config: ConfigTree, database?: DatabaseConfig): JobsSetup {
  const jobs = readJobsConfig(config);
  if (jobs.backend === 'redis') return { url: jobs.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
  if (jobs.backend === 'memory') return { url: 'sqlite::memory:' };
  const db = database ?? databaseConfig(config.database);
  return { url: databaseUrl(db, root), appDatabase: db.adapter };
}

/** The app in the current directory, when there is one (config/ present). */
export function configOfDirectory(dir = process.cwd()): { root: string; config: ConfigTree } | undefined {
  if (!existsSync(join(dir, 'config'))) return undefined;
  return { root: dir, config: loadConfig(dir, currentEnv()) };
}
