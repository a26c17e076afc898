export { migration, Schema, TableBuilder, type Migration, type MigrationDefinition, type ReferenceOptions, type IndexOptions } from './dsl';
export { Migrator, type MigrationFile, type MigrationStatus } from './runner';
export { MigrationErrors } from './errors';
export { COLUMN_TYPES, type ColumnType, type ColumnOptions } from './types';
export { createDatabase, dropDatabase } from './admin';
