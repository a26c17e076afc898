export { migration, Schema, TableBuilder, type Migration, type MigrationDefinition, type ReferenceOptions, type IndexOptions, type CreateTableOptions, type ForeignKeyOptions, type ChangeColumnOptions } from './dsl';
export { Migrator, type MigrationFile, type MigrationStatus, type MigratorOptions } from './runner';
export { MigrationErrors } from './errors';
export { COLUMN_TYPES, COLUMN_OPTIONS, type ColumnType, type ColumnOptions } from './types';
export { createDatabase, dropDatabase } from './admin';
export { dumpSchema, loadSchema, readSchema, writeSchema, SCHEMA_FILE, type SchemaDump } from './schema-dump';
export { checkReversible, schemaDifference } from './reversible';
export type { FailureRecord } from './failures';
export { typeorm, schemaSource, dataSourceOptions } from './typeorm';
