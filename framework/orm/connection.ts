import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { DataSource, type DataSourceOptions, type QueryRunner } from 'typeorm';
import { dialectFor, type Adapter, type Dialect } from './dialect';
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
    case 'postgres':
      return {
        type: 'postgres', host: config.host ?? '127.0.0.1', port: config.port ?? 5432,
        username: config.username ?? process.env.PGUSER ?? 'postgres', password: config.password, database,
        poolSize: config.pool ?? 10,
      } as DataSourceOptions;
    case 'mysql':
      return {
        type: 'mysql', host: config.host ?? '127.0.0.1', port: config.port ?? 3306,
        username: config.username ?? 'root', password: config.password ?? '', database,
        timezone: 'Z', poolSize: config.pool ?? 10, charset: 'utf8mb4',
      } as DataSourceOptions;
  }
}

export interface QueryOutcome {
  rows: Record<string, any>[];
  affected: number;
  insertId?: number | string;
}

const UTC = "SET time_zone = '+00:00'";

/**
 * MySQL's DATETIME has no zone: stryke writes UTC (mysql2 with `timezone: 'Z'`), so every session runs in
 * UTC too, and `NOW()` or a `CURRENT_TIMESTAMP` default agrees with it whatever the server's zone.
 */
async function utcSessions(ds: DataSource): Promise<void> {
  const pool = (ds.driver as unknown as { pool?: { on(event: 'connection', fn: (c: { query(sql: string, cb: () => void): void }) => void): void } }).pool;
  pool?.on('connection', (c) => c.query(UTC, () => {}));
  await ds.query(UTC); // the one connection TypeORM opened (and pooled) while initializing
}

/**
 * The app's connection: TypeORM's DataSource (drivers, pooling, query runners) plus the dialect stryke
 * writes its SQL in. Every statement goes through a TypeORM query runner with bound parameters.
 */
export class Database {
  readonly dialect: Dialect;
  constructor(readonly dataSource: DataSource, readonly config: DatabaseConfig) {
    this.dialect = dialectFor(config.adapter);
  }

  static async connect(config: DatabaseConfig, root: string): Promise<Database> {
    const ds = new DataSource(dataSourceOptions(config, root));
    await ds.initialize();
    if (config.adapter === 'mysql') await utcSessions(ds);
    return new Database(ds, config);
  }

  async run(sql: string, binds: unknown[] = [], runner?: QueryRunner): Promise<QueryOutcome> {
    const qr = runner ?? this.dataSource.createQueryRunner();
    try {
      const result = await qr.query(sql, binds, true);
      const raw = result.raw;
      return {
        rows: result.records ?? [],
        affected: result.affected ?? 0,
        insertId: typeof raw === 'number' || typeof raw === 'bigint' ? Number(raw) : raw?.insertId,
      };
    } finally {
      if (!runner) await qr.release();
    }
  }

  async select(sql: string, binds: unknown[] = []): Promise<Record<string, any>[]> {
    return (await this.run(sql, binds)).rows;
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
