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
import { registry, type AssociationDecl, type FieldDecl } from '../registry';
import { camelize, singularize } from '../support';

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

type ModelInfo = { table: string; fields: FieldDecl[]; associations: Map<string, AssociationDecl> };

/** The models bound to `db`, by class. */
function modelsOf(db: SqlDatabase): Map<Function, ModelInfo> {
  const out = new Map<Function, ModelInfo>();
  for (const model of registry.models.keys()) {
    const meta = (model as any)[Symbol.for('stryke.model.meta')] as (ModelInfo & { db: unknown }) | undefined;
    if (!meta || meta.db !== db || !Object.prototype.hasOwnProperty.call(model, Symbol.for('stryke.model.meta'))) continue;
    out.set(model, meta);
  }
  return out;
}

/** The foreign key property of an association, as the ORM names it: `authorId` for belongsTo `author`, `postId` on Post's children. */
function foreignKey(owner: Function, a: AssociationDecl): string {
  if (a.foreignKey) return a.foreignKey;
  return a.kind === 'belongsTo' ? `${a.property}Id` : `${camelize(owner.name)}Id`;
}

/** The column of a model's property (the property itself when it is not a field). */
function columnOf(info: ModelInfo, property: string): string {
  return info.fields.find((f) => f.property === property)?.column ?? property;
}

function primaryOf(info: ModelInfo): FieldDecl | undefined {
  return info.fields.find((f) => f.primary);
}

/**
 * TypeORM relations for the models' associations, by model:
 * - `@BelongsTo`: many-to-one, joined on the foreign key's column (one-to-one, the owning side, when the target
 *   declares a `@HasOne` back on the same key and no `@HasMany`);
 * - `@HasMany`: one-to-many, and `@HasOne`: the inverse one-to-one, each the inverse of the target's
 *   `@BelongsTo` on the same key (when the target declares none, a hidden owning side named
 *   `__<Owner>_<association>` is added to it: TypeORM needs both sides);
 * - `@HasMany`/`@HasOne` through a join model whose two ends are `@BelongsTo` (Post has many tags through
 *   taggings): many-to-many with the join model's table as the join table.
 * Other `through` chains (through a `@HasMany` that itself has many, or through a `@BelongsTo`) have no TypeORM
 * relation and are left out: join them with the query builder.
 */
function relationsOf(models: Map<Function, ModelInfo>): Map<Function, Record<string, object>> {
  const out = new Map<Function, Record<string, object>>();
  for (const model of models.keys()) out.set(model, {});
  const pointsBack = (owner: Function, a: AssociationDecl, kind: AssociationDecl['kind']) => {
    const target = a.target();
    const info = models.get(target)!;
    const fk = foreignKey(owner, a);
    for (const b of info.associations.values()) {
      if (!b.through && b.kind === kind && b.target() === owner && foreignKey(target, b) === fk) return b;
    }
    return undefined;
  };
  for (const [model, info] of models) {
    const rel = out.get(model)!;
    for (const a of info.associations.values()) {
      const target = a.target();
      const tinfo = models.get(target);
      if (!tinfo) continue;
      if (a.through) {
        const through = info.associations.get(a.through);
        const joinModel = through?.target();
        const jinfo = joinModel && models.get(joinModel);
        if (!through || through.through || through.kind === 'belongsTo' || !jinfo) continue;
        const names = a.sourceAssociation ? [a.sourceAssociation] : [a.property, singularize(a.property)];
        const source = names.map((n) => jinfo.associations.get(n)).find((b) => b !== undefined);
        if (!source || source.through || source.kind !== 'belongsTo' || source.target() !== target) continue;
        const pk = primaryOf(info);
        const tpk = primaryOf(tinfo);
        if (!pk || !tpk) continue;
        rel[a.property] = {
          type: 'many-to-many', target: target.name,
          joinTable: {
            name: jinfo.table,
            joinColumn: { name: columnOf(jinfo, foreignKey(model, through)), referencedColumnName: pk.property },
            inverseJoinColumn: { name: columnOf(jinfo, foreignKey(joinModel, source)), referencedColumnName: tpk.property },
          },
        };
        continue;
      }
      if (a.kind === 'belongsTo') {
        const hasOne = pointsBack(model, a, 'hasOne');
        const oneToOne = !!hasOne && !pointsBack(model, a, 'hasMany');
        const inverse = oneToOne ? hasOne : pointsBack(model, a, 'hasMany');
        rel[a.property] = {
          type: oneToOne ? 'one-to-one' : 'many-to-one', target: target.name,
          joinColumn: { name: columnOf(info, foreignKey(model, a)), referencedColumnName: primaryOf(tinfo)?.property ?? 'id' },
          ...(inverse ? { inverseSide: inverse.property } : {}),
        };
        continue;
      }
      // hasMany / hasOne: the inverse of the target's belongsTo on the same key, added hidden when not declared.
      let back = pointsBack(model, a, 'belongsTo');
      let backName = back?.property;
      if (!backName) {
        backName = `__${model.name}_${a.property}`;
        out.get(target)![backName] = {
          type: a.kind === 'hasOne' ? 'one-to-one' : 'many-to-one', target: model.name, inverseSide: a.property,
          joinColumn: { name: columnOf(tinfo, foreignKey(model, a)), referencedColumnName: primaryOf(info)?.property ?? 'id' },
        };
      }
      rel[a.property] = { type: a.kind === 'hasOne' ? 'one-to-one' : 'one-to-many', target: target.name, inverseSide: backName };
    }
  }
  return out;
}

/** An EntitySchema per model bound to `db`: its table, each field as a column (by property name), and its associations as relations. */
function entitiesOf(db: SqlDatabase): EntitySchema[] {
  const { EntitySchema } = require('typeorm/entity-schema/EntitySchema') as typeof import('typeorm/entity-schema/EntitySchema');
  const types = COLUMN_TYPES[db.config.adapter]!;
  const models = modelsOf(db);
  const relations = relationsOf(models);
  const out: EntitySchema[] = [];
  for (const [model, meta] of models) {
    const columns: Record<string, object> = {};
    for (const f of meta.fields) {
      columns[f.property] = { name: f.column, type: types[f.type] ?? 'varchar', primary: f.primary, nullable: f.nullable, ...(f.primary && (f.type === 'integer' || f.type === 'bigint') ? { generated: true } : {}) };
    }
    out.push(new EntitySchema({ name: model.name, tableName: meta.table, columns, relations: relations.get(model) } as any));
  }
  return out;
}

/**
 * Opt in: a TypeORM DataSource on the app's database configuration, with an EntitySchema per model (named
 * after the model class, columns by property name, associations as relations: see `relationsOf`), for its
 * query builder and repositories. Opened once
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
