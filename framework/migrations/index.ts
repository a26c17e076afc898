/**
 * Migrations: the `migration()` builder an app's migration files use, the runner, schema dump and load, and
 * database creation. Light to import: `migration()` loads no schema engine (nor does the pending-migrations check
 * serving runs, in ./internal.ts); the runner, the schema DSL and the schema dump (which load TypeORM, the schema
 * engine) load on first use.
 */
import { lazyModule } from '../support';
import type * as Runner from './runner';
import type * as Admin from './admin';
import type * as SchemaDump from './schema-dump';
import type * as Reversible from './reversible';
import type * as Dsl from './dsl';

export { migration } from './define';
export type { Migration, MigrationDefinition, ReferenceOptions, IndexOptions, CreateTableOptions, ForeignKeyOptions, ChangeColumnOptions } from './dsl';
export type { MigrationStatus, MigratorOptions, MigrationEvent } from './runner';
export { MigrationErrors } from './errors';
export { COLUMN_TYPES, COLUMN_OPTIONS, type ColumnType, type ColumnOptions } from './types';
export type { SchemaDump } from './schema-dump';
export type { FailureRecord } from './failures';

/** Where `stryke db schema:dump` writes the schema (relative to the app root). */
export const SCHEMA_FILE = 'db/schema.json';

export const { Migrator } = lazyModule(() => require('./runner') as typeof Runner);
export type Migrator = Runner.Migrator;
export const { createDatabase, dropDatabase } = lazyModule(() => require('./admin') as typeof Admin);
export const { dumpSchema, loadSchema, readSchema, writeSchema } = lazyModule(() => require('./schema-dump') as typeof SchemaDump);
export const { checkReversible, schemaDifference } = lazyModule(() => require('./reversible') as typeof Reversible);
/** The schema DSL's classes, for code that builds migrations by hand. */
export const { Schema, TableBuilder } = lazyModule(() => require('./dsl') as typeof Dsl);
export type Schema = Dsl.Schema;
export type TableBuilder = Dsl.TableBuilder;

type TypeormModule = typeof import('./typeorm');
/** TypeORM on the app's database: the schema engine, and the opt-in `typeorm(db)` accessor (loads TypeORM). */
export const { typeorm, schemaSource, dataSourceOptions } = lazyModule(() => require('./typeorm') as TypeormModule);
