/**
 * TypeORM on stryke's database: the schema engine of the migration commands (migrations, introspection,
 * schema dump and load, `db diff`), and, opt in, for an app that wants its query builder, `typeorm(db)`:
 * a DataSource on the same configuration with an EntitySchema per model bound to `db`. Loaded only when
 * one of those asks: TypeORM is not part of serving a request.
 *
 * SQLite: the DataSource runs on the app's own better-sqlite3 connection (TypeORM's public `driver` option
 * is given a constructor that hands back a view of it), so the file is opened once per process and an
 * in-memory database is the same one. Closing the DataSource leaves that connection open. PostgreSQL and
 * MySQL/MariaDB: TypeORM opens a small pool of its own with the same settings.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSource, DataSourceOptions, EntitySchema } from 'typeorm';
import { DbErrors, SqlDatabase, sqlitePath, timeoutsOf, type DatabaseConfig, type SqliteHandle } from '../db';
import { registry, type FieldDecl } from '../registry';

declare module '../db/database' {
  interface SqlDatabase {
    /** The TypeORM DataSource a migration command or `typeorm(db)` opened on this database (stryke/migrations). */
    readonly dataSource: DataSource;
  }
}

const schemaSources = new WeakMap<SqlDatabase, Promise<DataSource>>();
const modelSources = new WeakMap<SqlDatabase, Promise<DataSource>>();
const opened = new WeakMap<SqlDatabase, DataSource>();

Object.defineProperty(SqlDatabase.prototype, 'dataSource', {
  configurable: true,
  get(this: SqlDatabase) {
    const ds = opened.get(this);
    if (!ds) throw DbErrors.NO_SCHEMA_SOURCE();
    return ds;
  },
});

/** TypeORM DataSource options for one database config; `database` may be overridden (admin connections). */
export function dataSourceOptions(config: DatabaseConfig, root: string, database = config.database, mariadb = false): DataSourceOptions {
  const t = timeoutsOf(config);
  switch (config.adapter) {
    case 'sqlite': {
      const file = sqlitePath({ ...config, database }, root);
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      return { type: 'better-sqlite3', database: file, enableWAL: file !== ':memory:', timeout: t.busy } as DataSourceOptions;
    }
    case 'postgres':
      return {
        type: 'postgres', host: config.host ?? '127.0.0.1', port: config.port ?? 5432,
        username: config.username ?? process.env.PGUSER ?? 'postgres', password: config.password, database,
        poolSize: 2, connectTimeoutMS: t.connect,
        ...(t.statement ? { extra: { statement_timeout: t.statement, query_timeout: t.statement + 1000 } } : {}),
      } as DataSourceOptions;
    case 'mysql':
      return {
        // TypeORM reads MariaDB's column defaults right only when told it is MariaDB.
        type: mariadb ? 'mariadb' : 'mysql', host: config.host ?? '127.0.0.1', port: config.port ?? 3306,
        username: config.username ?? 'root', password: config.password ?? '', database,
        timezone: 'Z', poolSize: 2, charset: 'utf8mb4', connectTimeout: t.connect, extra: { jsonStrings: true },
      } as DataSourceOptions;
  }
}

/** A view of the app's SQLite connection for TypeORM's driver: everything but `close`, which stays stryke's. */
function sharedSqlite(handle: SqliteHandle): Function {
  const view = {
    prepare: (sql: string) => handle.prepare(sql),
    exec: (sql: string) => handle.exec(sql),
    pragma: (sql: string, options?: { simple?: boolean }) => handle.pragma(sql, options),
    close: () => {},
    get inTransaction() {
      return handle.inTransaction;
    },
    get open() {
      return handle.open;
    },
  };
  // TypeORM constructs its driver with `new`: a constructor that returns an object gives that object.
  return function SharedSqliteConnection() {
    return view;
  };
}

async function open(db: SqlDatabase, entities: EntitySchema[]): Promise<DataSource> {
  const { DataSource } = require('typeorm/data-source/DataSource') as typeof import('typeorm/data-source/DataSource');
  let mariadb = false;
  if (db.config.adapter === 'mysql') mariadb = /mariadb/i.test(String((await db.select('SELECT VERSION() AS v'))[0]?.v ?? ''));
  const options: Record<string, unknown> = { ...dataSourceOptions(db.config, db.root, db.config.database, mariadb), entities };
  if (db.sqliteHandle) options.driver = sharedSqlite(db.sqliteHandle);
  const ds = new DataSource(options as unknown as DataSourceOptions);
  await ds.initialize();
  db.onClose(() => (ds.isInitialized ? ds.destroy() : undefined));
  return ds;
}

/** The DataSource the schema commands use on `db` (no entities), opened once per database. */
export async function schemaSource(db: SqlDatabase): Promise<DataSource> {
  let p = schemaSources.get(db);
  if (!p) {
    schemaSources.set(db, (p = open(db, [])));
    p.then((ds) => opened.set(db, ds), () => schemaSources.delete(db));
  }
  const ds = await p;
  if (!opened.has(db)) opened.set(db, ds);
  return ds;
}

const COLUMN_TYPES: Record<string, Record<string, string>> = {
  sqlite: { string: 'varchar', text: 'text', integer: 'integer', bigint: 'bigint', float: 'float', decimal: 'decimal', boolean: 'boolean', date: 'date', datetime: 'datetime', json: 'text', uuid: 'varchar', enum: 'varchar' },
  postgres: { string: 'varchar', text: 'text', integer: 'integer', bigint: 'bigint', float: 'double precision', decimal: 'numeric', boolean: 'boolean', date: 'date', datetime: 'timestamptz', json: 'jsonb', uuid: 'uuid', enum: 'varchar' },
  mysql: { string: 'varchar', text: 'text', integer: 'int', bigint: 'bigint', float: 'double', decimal: 'decimal', boolean: 'tinyint', date: 'date', datetime: 'datetime', json: 'json', uuid: 'varchar', enum: 'varchar' },
};

/** An EntitySchema per model bound to `db`: its table, and each field as a column (by property name). */
function entitiesOf(db: SqlDatabase): EntitySchema[] {
  const { EntitySchema } = require('typeorm/entity-schema/EntitySchema') as typeof import('typeorm/entity-schema/EntitySchema');
  const types = COLUMN_TYPES[db.config.adapter]!;
  const out: EntitySchema[] = [];
  for (const model of registry.models.keys()) {
    const meta = (model as any)[Symbol.for('stryke.model.meta')] as { db: unknown; table: string; fields: FieldDecl[] } | undefined;
    if (!meta || meta.db !== db || !Object.prototype.hasOwnProperty.call(model, Symbol.for('stryke.model.meta'))) continue;
    const columns: Record<string, object> = {};
    for (const f of meta.fields) {
      columns[f.property] = { name: f.column, type: types[f.type] ?? 'varchar', primary: f.primary, nullable: f.nullable, ...(f.primary && (f.type === 'integer' || f.type === 'bigint') ? { generated: true } : {}) };
    }
    out.push(new EntitySchema({ name: model.name, tableName: meta.table, columns } as any));
  }
  return out;
}

/**
 * Opt in: a TypeORM DataSource on the app's database configuration, with an EntitySchema per model (named
 * after the model class, columns by property name), for its query builder and repositories. Opened once
 * per database and closed with it. `ds.getRepository('Post').createQueryBuilder('p').where(...)`.
 */
export async function typeorm(db: SqlDatabase): Promise<DataSource> {
  let p = modelSources.get(db);
  if (!p) {
    modelSources.set(db, (p = open(db, entitiesOf(db))));
    p.catch(() => modelSources.delete(db));
  }
  return p;
}
