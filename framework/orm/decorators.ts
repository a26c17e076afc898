import 'reflect-metadata';
import { registry, type Constructor, type FieldDecl, type FieldType } from '../registry';
import { callSite } from '../registry';
import { OrmErrors } from './errors';
import { applyValidations, type ValidateOptions, type ValidationRules } from './validation';

/**
 * Declares a model and its table.
 * @example
 * @Model('posts')
 * export class Post extends ApplicationModel { @Field({ primary: true }) id!: number; }
 */
export function Model(table: string, options: ModelOptions = {}): ClassDecorator {
  return (target) => {
    const decl = registry.model(target);
    decl.table = table;
    decl.source = callSite();
    if (options.strictLoading !== undefined) decl.strictLoading = options.strictLoading;
  };
}

export interface ModelOptions {
  /** Refuse lazy loads of associations on every record of this model (STRYKE_E_ORM_STRICT_LOADING). */
  strictLoading?: boolean;
}

export interface FieldOptions {
  type?: FieldType;
  primary?: boolean;
  /** Allow NULL (default: true, except for the primary key). */
  null?: boolean;
  limit?: number;
  default?: unknown;
  /** The column's name when it differs from the property's. */
  column?: string;
  /** An enum field's allowed values (validated with inclusion). */
  values?: readonly (string | number)[];
  /** A decimal field's digits in all and after the point (values read as strings, never rounded by a float). */
  precision?: number;
  scale?: number;
}

function inferType(target: object, property: string): FieldType {
  const t = Reflect.getMetadata('design:type', target, property);
  if (t === Number) return 'integer';
  if (t === Boolean) return 'boolean';
  if (t === Date) return 'datetime';
  if (t === Array) return 'json';
  if (t === BigInt) return 'bigint';
  if (t === String || t === undefined) return 'string';
  // A union (`number | null`), an interface, `unknown`: TypeScript records all of them as Object, so
  // guessing would store `Date | null` as JSON. The type has to be named.
  throw OrmErrors.AMBIGUOUS_TYPE(target.constructor.name, property);
}

/**
 * Declares a persisted field. The type is inferred from the TypeScript type when not given
 * (number -> integer, boolean, Date -> datetime, string, arrays -> json); a union such as
 * `number | null`, or an object type, needs it named (`@Field('integer')`, `@Field('json')`).
 * @example @Field('text') body!: string;  @Field({ type: 'string', limit: 200 }) title!: string;
 */
export function Field(typeOrOptions: FieldType | FieldOptions = {}): PropertyDecorator {
  const options: FieldOptions = typeof typeOrOptions === 'string' ? { type: typeOrOptions } : typeOrOptions;
  return (target, key) => {
    const property = String(key);
    const decl = registry.model(target.constructor);
    const field: FieldDecl = {
      property,
      column: options.column ?? property,
      type: options.type ?? (options.primary ? 'integer' : inferType(target, property)),
      primary: !!options.primary,
      nullable: options.null ?? !options.primary,
      limit: options.limit,
      default: options.default,
    };
    if (options.values) field.values = options.values;
    if (options.precision !== undefined) field.precision = options.precision;
    if (options.scale !== undefined) field.scale = options.scale;
    if (field.type === 'enum') {
      if (!options.values?.length) throw OrmErrors.BAD_VALIDATION('enum without values', target.constructor.name, property);
      const rules = { inclusion: [...options.values], allowNull: true };
      decl.validations.push({ property, rules });
      applyValidations(target, property, rules);
    }
    decl.fields = decl.fields.filter((f) => f.property !== property).concat(field);
  };
}

/**
 * Soft delete: `destroy()` sets this datetime instead of deleting the row, and queries leave such rows out
 * unless asked (`withDeleted()`, `onlyDeleted()`). `restore()` brings one back; `reallyDestroy()` deletes it.
 * @example @SoftDelete() deletedAt!: Date | null;
 */
export function SoftDelete(options: { column?: string } = {}): PropertyDecorator {
  return (target, key) => {
    const property = String(key);
    const decl = registry.model(target.constructor);
    decl.fields = decl.fields.filter((f) => f.property !== property && !f.softDelete);
    decl.fields.push({ property, column: options.column ?? property, type: 'datetime', primary: false, nullable: true, softDelete: true });
  };
}

/** Declares `createdAt` and `updatedAt`, set on insert and on every update. Put it on `createdAt`. */
export function Timestamps(): PropertyDecorator {
  return (target) => {
    const decl = registry.model(target.constructor);
    for (const [property, when] of [['createdAt', 'create'], ['updatedAt', 'update']] as const) {
      decl.fields = decl.fields.filter((f) => f.property !== property);
      decl.fields.push({ property, column: property, type: 'datetime', primary: false, nullable: false, timestamp: when });
    }
  };
}

export interface AssociationOptions {
  /** The foreign key column: `authorId` for `@BelongsTo(() => User) author`, `postId` for `@HasMany(() => Comment)` on Post. */
  foreignKey?: string;
}

export interface BelongsToOptions extends AssociationOptions {
  /** A save is refused ("must exist") while the foreign key is null. Default: optional. */
  required?: boolean;
  optional?: boolean;
}

export interface HasManyOptions extends AssociationOptions {
  /** Reach the records through another association of this model (a join model): `{ through: 'taggings' }`. */
  through?: string;
  /** With `through`: the association on the through model to follow (default: this name, or its singular). */
  source?: string;
  /** When this record is destroyed: destroy each record (with callbacks), set their key to NULL, or delete them in one statement. */
  dependent?: 'destroy' | 'nullify' | 'delete';
}

function association(kind: 'belongsTo' | 'hasMany' | 'hasOne', target: () => Constructor, options: BelongsToOptions & HasManyOptions): PropertyDecorator {
  return (proto, key) => {
    const decl = registry.model(proto.constructor);
    const property = String(key);
    decl.associations = decl.associations.filter((a) => a.property !== property);
    decl.associations.push({
      kind, property, target, foreignKey: options.foreignKey, source: callSite(),
      ...(options.through ? { through: options.through } : {}),
      ...(options.source ? { sourceAssociation: options.source } : {}),
      ...(options.dependent ? { dependent: options.dependent } : {}),
      ...(options.required || options.optional === false ? { required: true } : {}),
    });
  };
}

/** The record this one points at through `<name>Id`. `{ required: true }` refuses to save without one. */
export function BelongsTo(target: () => Constructor, options: BelongsToOptions = {}): PropertyDecorator {
  return association('belongsTo', target, options);
}

/** The records that point at this one through `<thisModel>Id`, or reached `through` another association. */
export function HasMany(target: () => Constructor, options: HasManyOptions = {}): PropertyDecorator {
  return association('hasMany', target, options);
}

/** The one record that points at this one through `<thisModel>Id` (or reached `through` another association). */
export function HasOne(target: () => Constructor, options: HasManyOptions = {}): PropertyDecorator {
  return association('hasOne', target, options);
}

/**
 * Validates a field on save, through class-validator.
 * @example @Validates({ presence: true, length: { min: 3, max: 200 } }) title!: string;
 */
export function Validates(rules: ValidationRules): PropertyDecorator {
  return (target, key) => {
    const decl = registry.model(target.constructor);
    decl.validations.push({ property: String(key), rules: rules as Record<string, unknown> });
    applyValidations(target, String(key), rules);
  };
}

/**
 * A validation method, run on every validation (or as its options say): it reports problems with
 * `this.errors.add(field, message)`.
 * @example @Validate() publishedNeedsBody() { if (this.published && !this.body) this.errors.add('body', 'is needed to publish'); }
 */
export function Validate(options: ValidateOptions = {}): MethodDecorator {
  return (target, key) => {
    const decl = registry.model(target.constructor);
    (decl.validators ??= []).push({ method: String(key), options: options as Record<string, unknown> });
  };
}

function callback(event: string) {
  return (): MethodDecorator => (target, key) => {
    registry.model(target.constructor).callbacks.push({ event, method: String(key) });
  };
}

function commitCallback(event: string) {
  return (options: { on?: 'create' | 'update' | 'destroy' | ('create' | 'update' | 'destroy')[] } = {}): MethodDecorator => (target, key) => {
    const on = options.on === undefined ? undefined : Array.isArray(options.on) ? options.on : [options.on];
    registry.model(target.constructor).callbacks.push({ event, method: String(key), ...(on ? { on } : {}) });
  };
}

export const BeforeValidation = callback('beforeValidation');
export const AfterValidation = callback('afterValidation');
/** After the transaction that saved or destroyed the record commits (`{ on: 'create' }` for some actions only). */
export const AfterCommit = commitCallback('afterCommit');
/** After the transaction that saved or destroyed the record rolls back. */
export const AfterRollback = commitCallback('afterRollback');
export const BeforeSave = callback('beforeSave');
export const AfterSave = callback('afterSave');
export const BeforeCreate = callback('beforeCreate');
export const AfterCreate = callback('afterCreate');
export const BeforeUpdate = callback('beforeUpdate');
export const AfterUpdate = callback('afterUpdate');
export const BeforeDestroy = callback('beforeDestroy');
export const AfterDestroy = callback('afterDestroy');
