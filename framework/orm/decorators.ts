import 'reflect-metadata';
import { registry, type Constructor, type FieldDecl, type FieldType } from '../registry';
import { callSite } from '../registry/source';
import { OrmErrors } from './errors';
import { applyValidations, type ValidationRules } from './validation';

/**
 * Declares a model and its table.
 * @example
 * @Model('posts')
 * export class Post extends ApplicationModel { @Field({ primary: true }) id!: number; }
 */
export function Model(table: string): ClassDecorator {
  return (target) => {
    const decl = registry.model(target);
    decl.table = table;
    decl.source = callSite();
  };
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
    decl.fields = decl.fields.filter((f) => f.property !== property).concat(field);
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

/** The record this one points at through `<name>Id`. */
export function BelongsTo(target: () => Constructor, options: AssociationOptions = {}): PropertyDecorator {
  return (proto, key) => {
    registry.model(proto.constructor).associations.push({ kind: 'belongsTo', property: String(key), target, foreignKey: options.foreignKey, source: callSite() });
  };
}

/** The records that point at this one through `<thisModel>Id`. */
export function HasMany(target: () => Constructor, options: AssociationOptions = {}): PropertyDecorator {
  return (proto, key) => {
    registry.model(proto.constructor).associations.push({ kind: 'hasMany', property: String(key), target, foreignKey: options.foreignKey, source: callSite() });
  };
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

function callback(event: string) {
  return (): MethodDecorator => (target, key) => {
    registry.model(target.constructor).callbacks.push({ event, method: String(key) });
  };
}

export const BeforeValidation = callback('beforeValidation');
export const BeforeSave = callback('beforeSave');
export const AfterSave = callback('afterSave');
export const BeforeCreate = callback('beforeCreate');
export const AfterCreate = callback('afterCreate');
export const BeforeUpdate = callback('beforeUpdate');
export const AfterUpdate = callback('afterUpdate');
export const BeforeDestroy = callback('beforeDestroy');
export const AfterDestroy = callback('afterDestroy');
