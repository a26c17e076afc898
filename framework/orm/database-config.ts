/**
 * The database settings of an app: the adapter's name and its aliases, `DATABASE_URL`-style URLs,
 * config/database.toml's section for one environment, and TypeORM's DataSource options built from them.
 */
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { Adapter } from './dialect';
import { OrmErrors } from './errors';

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
  /** Seconds a statement may run before it is cancelled (a 503): default none. PostgreSQL only. */
  statement_timeout?: number;
}

/** Milliseconds from a number of seconds in config/database.toml, or the default. */
function millis(seconds: unknown, fallback: number): number {
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
  if (!a) throw OrmErrors.UNSUPPORTED_ADAPTER(name);
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

/** TypeORM DataSource options for one database config; `database` may be overridden (admin connections). */
export function dataSourceOptions(config: DatabaseConfig, root: string, database = config.database): DataSourceOptions {
  switch (config.adapter) {
    case 'sqlite': {
      const file = sqlitePath({ ...config, database }, root);
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      return { type: 'better-sqlite3', database: file, enableWAL: file !== ':memory:' } as DataSourceOptions;
    }
    case 'postgres': {
      // A database that accepts connections but never answers fails fast (a 503) instead of holding requests.
      const statementMs = millis(config.statement_timeout, 0);
      return {
        type: 'postgres', host: config.host ?? '127.0.0.1', port: config.port ?? 5432,
        username: config.username ?? process.env.PGUSER ?? 'postgres', password: config.password, database,
        poolSize: config.pool ?? 10,
        connectTimeoutMS: millis(config.connect_timeout, 5000),
        ...(statementMs ? { extra: { statement_timeout: statementMs, query_timeout: statementMs + 1000 } } : {}),
      } as DataSourceOptions;
    }
    case 'mysql':
      return {
        type: 'mysql', host: config.host ?? '127.0.0.1', port: config.port ?? 3306,
        username: config.username ?? 'root', password: config.password ?? '', database,
        timezone: 'Z', poolSize: config.pool ?? 10, charset: 'utf8mb4', connectTimeout: millis(config.connect_timeout, 5000),
        // JSON columns as their text, as SQLite gives them: the json field's reader parses it once (mysql2's
        // own parse followed by the reader's would read a JSON string scalar twice).
        extra: { jsonStrings: true },
      } as DataSourceOptions;
  }
}
