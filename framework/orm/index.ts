export { Model, Field, Timestamps, BelongsTo, HasMany, Validates, BeforeValidation, BeforeSave, AfterSave, BeforeCreate, AfterCreate, BeforeUpdate, AfterUpdate, BeforeDestroy, AfterDestroy } from './decorators';
export type { FieldOptions, AssociationOptions } from './decorators';
export { ActiveRecord, foreignKeyOf } from './model';
export { Relation } from './relation';
export { scope, type Scope } from './scope';
export { Errors, type ValidationRules } from './validation';
export { Database, databaseConfig, parseDatabaseUrl, dataSourceOptions, type DatabaseConfig } from './connection';
export { bindModels } from './bind';
export { OrmErrors } from './errors';
export { dialectFor, type Dialect, type Adapter } from './dialect';

/** An association property: the loaded record(s), readable after `includes(...)` or `load(...)`. */
export type Loaded<T> = T;
