/**
 * The database settings of an app: the adapter's name and its aliases, `DATABASE_URL`-style URLs, and
 * config/database.toml's section for one environment, with the timeouts in milliseconds.
 */
import { isAbsolute, join } from 'node:path';
import { DbErrors } from './errors';

export type Adapter = 'sqlite' | 'postgres' | 'mysql';

export interface DatabaseConfig {
  adapter: Adapter;
  /** SQLite: a file path (relative to the app root) or ":memory:". Others: the database name. */
  database: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  pool?: number;
  url?: string;
  /** Seconds to wait for a new connection before the statement fails (a 503): default 5. PostgreSQL and MySQL. */
  connect_timeout?: number;
  /** Seconds a statement may wait for a free connection of the pool before it fails (a 503): default 10. PostgreSQL and MySQL. */
  acquire_timeout?: number;
  /** Seconds a statement may run before it is cancelled (a 503): default none. PostgreSQL and MySQL. */
  statement_timeout?: number;
  /** SQLite: seconds a write waits for another process's write lock before SQLITE_BUSY: default 5. */
  busy_timeout?: number;
}

/** The timeouts of a config in milliseconds (0: none). */
export interface Timeouts {
  connect: number;
  acquire: number;
  statement: number;
  busy: number;
}

export function timeoutsOf(config: DatabaseConfig): Timeouts {
  return {
    connect: millis(config.connect_timeout, 5000),
    acquire: millis(config.acquire_timeout, 10000),
    statement: millis(config.statement_timeout, 0),
    busy: millis(config.busy_timeout, 5000),
  };
}

/** Milliseconds from a number of seconds in config/database.toml, or the default. */
export function millis(seconds: unknown, fallback: number): number {
  const n = Number(seconds);
  return seconds !== undefined && Number.isFinite(n) && n >= 0 ? Math.round(n * 1000) : fallback;
}

const ADAPTER_ALIASES: Record<string, Adapter> = {
  sqlite: 'sqlite', sqlite3: 'sqlite', 'better-sqlite3': 'sqlite',
  postgres: 'postgres', postgresql: 'postgres', pg: 'postgres',
  mysql: 'mysql', mysql2: 'mysql', mariadb: 'mysql',
};

export function normalizeAdapter(name: string): Adapter {
  const a = ADAPTER_ALIASES[name.toLowerCase()];
  if (!a) throw DbErrors.UNSUPPORTED_ADAPTER(name);
  return a;
}

/** `sqlite:db/dev.sqlite3`, `postgres://user:pw@host:5432/db`, `mysql://root@127.0.0.1/app`. */
export function parseDatabaseUrl(url: string): DatabaseConfig {
  const scheme = url.slice(0, url.indexOf(':'));
  const adapter = normalizeAdapter(scheme);
  if (adapter === 'sqlite') {
    const rest = url.slice(scheme.length + 1).replace(/^\/\//, '');
    return { adapter, database: rest || ':memory:', url };
  }
  const u = new URL(url);
  return {
    adapter,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : undefined,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    url,
  };
}

/**
 * The database settings for one environment: `DATABASE_URL` wins, then `url` in config/database.toml,
 * then its separate keys. SQLite is the default.
 */
export function databaseConfig(section: Record<string, any> | undefined, env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const url = env.DATABASE_URL || section?.url;
  const base = url ? parseDatabaseUrl(url) : undefined;
  const adapter = base?.adapter ?? normalizeAdapter(String(section?.adapter ?? 'sqlite'));
  return {
    ...(section as object),
    adapter,
    database: base?.database ?? section?.database ?? (adapter === 'sqlite' ? 'db/development.sqlite3' : 'stryke_development'),
    host: base?.host ?? section?.host,
    port: base?.port ?? section?.port,
    username: base?.username ?? section?.username,
    password: base?.password ?? section?.password,
    pool: section?.pool,
    url,
  } as DatabaseConfig;
}

export function sqlitePath(config: DatabaseConfig, root: string): string {
  if (config.database === ':memory:' || isAbsolute(config.database)) return config.database;
  return join(root, config.database);
}
