export {
  Model, Field, Timestamps, SoftDelete, BelongsTo, HasMany, HasOne, Validates, Validate,
  BeforeValidation, AfterValidation, BeforeSave, AfterSave, BeforeCreate, AfterCreate, BeforeUpdate, AfterUpdate,
  BeforeDestroy, AfterDestroy, AfterCommit, AfterRollback,
} from './decorators';
export type { FieldOptions, AssociationOptions, BelongsToOptions, HasManyOptions, ModelOptions } from './decorators';
export { ActiveRecord, Abort, foreignKeyOf, type AssociationHandle } from './model';
export { Relation, type Page, type Grouped, type GroupedRelation, type OrderBy } from './relation';
export type { UpsertOptions } from './bulk';
export type {
  RelationOf, ScopeMethods, Conditions, Attributes, FieldName, AssociationName, AssociationTarget, Includes, ColumnName, Direction, ModelClass, ValueAt,
} from './model-types';
export { CollectionProxy, type IncludeSpec } from './associations';
export { scope, type Scope } from './scope';
export { Errors, type ValidationRules, type ValidateOptions } from './validation';
export { Database, databaseConfig, parseDatabaseUrl, type DatabaseConfig, type SqlConnection, type TransactionScope } from './connection';
export { OrmErrors } from './errors';
export { isDatabaseUnavailable } from './unavailable';
export { sqlitePath } from './connection';
export { Operator, gt, gte, lt, lte, range, anyOf, not, ne } from './operators';
export { ormSettings, type NPlusOneMode } from './loading';
export type { Dialect, Adapter } from './dialect';

import type { CollectionProxy } from './associations';

/**
 * An association property. Loaded (by `includes(...)`, `load(...)` or assignment), it reads as the
 * record (or null), or for a hasMany as a `CollectionProxy` of records that can also `build` and `create`.
 * Not loaded, it reads as a placeholder whose `loaded` is false: `await` it to load it (a lazy load,
 * watched by N+1 detection); reading anything else from it throws STRYKE_E_ORM_ASSOCIATION_NOT_LOADED.
 */
export type Loaded<T> = T extends readonly (infer E)[] ? CollectionProxy<E> : T;
