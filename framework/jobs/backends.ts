import type { BackendFactory, IQueueBackend } from 'bullmq';
import { parseDatabaseUrl } from '../orm';
import { bullmq } from './bullmq';
import { JobsErrors } from './errors';
import { SqlQueueBackend } from './sql/backend';
import { mysqlDriver, type MysqlConnectionOptions } from './sql/mysql-driver';
import { sqliteDriver, type SqliteConnectionOptions } from './sql/sqlite-driver';

export type { SqliteConnectionOptions, MysqlConnectionOptions };

const DEFAULT_POLL = 100;

/** The name a Worker (`<queue>` or `<queue>:w:<name>`) or QueueEvents (`<queue>:qe`) is listed under for getWorkers/getQueueEvents. */
function clientName(queue: string, opts: object, factoryOpts: { blocking?: boolean; withBlockingConnection?: boolean }): string | undefined {
  const name = (opts as { name?: string }).name;
  if (factoryOpts.withBlockingConnection) return name ? `${queue}:w:${name}` : queue;
  if (factoryOpts.blocking) return `${queue}:qe`;
  return undefined;
}

/** `sqlite:db/dev.sqlite3`, `sqlite:///abs/path.sqlite3`, a bare path, or `{ filename }`. */
export function sqliteOptions(connection: unknown): SqliteConnectionOptions {
  if (typeof connection === 'string') {
    if (/^[a-z0-9+]+:\/\/?/i.test(connection) && !connection.startsWith('sqlite')) throw JobsErrors.BAD_CONNECTION('SQLite', JSON.stringify(connection));
    return { filename: connection.startsWith('sqlite') ? parseDatabaseUrl(connection).database : connection };
  }
  if (connection && typeof connection === 'object' && typeof (connection as SqliteConnectionOptions).filename === 'string') return connection as SqliteConnectionOptions;
  throw JobsErrors.BAD_CONNECTION('SQLite', JSON.stringify(connection));
}

/** `mysql://user:pw@host:3306/db`, `mariadb://...`, or mysql2 options with `database`. */
export function mysqlOptions(connection: unknown): MysqlConnectionOptions {
  if (typeof connection === 'string' && /^(mysql|mariadb):/i.test(connection)) {
    const c = parseDatabaseUrl(connection.replace(/^mariadb:/i, 'mysql:'));
    return { host: c.host, port: c.port, user: c.username ?? 'root', password: c.password ?? '', database: c.database };
  }
  if (connection && typeof connection === 'object' && typeof (connection as MysqlConnectionOptions).database === 'string') return connection as MysqlConnectionOptions;
  throw JobsErrors.BAD_CONNECTION('MySQL/MariaDB', JSON.stringify(connection));
}

/**
 * BullMQ backend over SQLite, in the app's own database file. Several processes may work one file:
 * writers serialize with BEGIN IMMEDIATE under WAL, with a busy timeout and retries.
 *
 * ```ts
 * const queue = new Queue('mailers', { connection: 'sqlite:db/development.sqlite3' }, createSqliteBackend);
 * ```
 */
export const createSqliteBackend: BackendFactory<IQueueBackend, string | SqliteConnectionOptions> = (name, opts, factoryOpts = {}) => {
  const options = sqliteOptions(opts.connection);
  return new SqlQueueBackend(sqliteDriver(options), name, opts as Record<string, any>, 'SQLite', {
    pollInterval: options.pollInterval ?? DEFAULT_POLL, blocking: !!factoryOpts.blocking, owns: true, clientName: clientName(name, opts, factoryOpts),
  });
};

/** BullMQ backend over MySQL 8 / MariaDB 10.6+, in the app's own database; claims with FOR UPDATE SKIP LOCKED. */
export const createMysqlBackend: BackendFactory<IQueueBackend, string | MysqlConnectionOptions> = (name, opts, factoryOpts = {}) => {
  const options = mysqlOptions(opts.connection);
  return new SqlQueueBackend(mysqlDriver(options), name, opts as Record<string, any>, 'MySQL/MariaDB', {
    pollInterval: options.pollInterval ?? DEFAULT_POLL, blocking: !!factoryOpts.blocking, owns: true, clientName: clientName(name, opts, factoryOpts),
  });
};

/** Which backend a connection URL selects. */
export function backendKind(url: string): 'sqlite' | 'mysql' | 'postgres' | 'redis' {
  const scheme = url.slice(0, Math.max(url.indexOf(':'), 0)).toLowerCase();
  if (scheme === 'sqlite' || scheme === 'sqlite3') return 'sqlite';
  if (scheme === 'mysql' || scheme === 'mariadb') return 'mysql';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'redis' || scheme === 'rediss') return 'redis';
  throw JobsErrors.BAD_URL(url);
}

/**
 * A BackendFactory bound to one database URL, picked by its scheme: `sqlite:` and `mysql:`/`mariadb:`
 * (stryke's SQL queue), `postgres:` (BullMQ's own PostgreSQL backend), `redis:` (BullMQ on Redis). The
 * URL wins over `connection` in the Queue/Worker options, which may then be `{}`.
 *
 * ```ts
 * const backend = createDatabaseBackend(process.env.DATABASE_URL!);
 * const queue = new Queue('mailers', { connection: {} }, backend);
 * ```
 */
export function createDatabaseBackend(url: string): BackendFactory<IQueueBackend, unknown> {
  const kind = backendKind(url);
  return (name, opts, factoryOpts) => {
    const withUrl = { ...opts, connection: url } as any;
    switch (kind) {
      case 'sqlite':
        return createSqliteBackend(name, withUrl, factoryOpts);
      case 'mysql':
        return createMysqlBackend(name, withUrl, factoryOpts);
      case 'postgres':
        return bullmq().createPostgresBackend(name, { ...opts, connection: { connectionString: url, migrate: true } } as any, factoryOpts);
      case 'redis': {
        const u = new URL(url);
        const connection = { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379), password: u.password || undefined, db: Number(u.pathname.slice(1) || 0), maxRetriesPerRequest: null };
        return bullmq().createRedisBackend(name, { ...opts, connection } as any, factoryOpts);
      }
    }
  };
}
