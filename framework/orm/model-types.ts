import type { IncludeSpec } from './associations';
import type { ActiveRecord } from './model';
import type { Operator } from './operators';
import type { Relation } from './relation';
import type { Scope } from './scope';

/**
 * What the compiler knows of a model, read from its class: its fields, its associations (the properties
 * declared `Loaded<...>`), its scopes. Relations, conditions, attributes and includes are typed with these,
 * so `Post.where({ titel: 'x' })`, `Post.includes('coments')` and `Post.published().nope()` do not compile.
 * Over `any` (a model not known, as in framework code that serves every model) they fall back to strings.
 */

type IsAny<T> = 0 extends 1 & T ? true : false;

/** The declared keys of T, without its index signatures (ActiveRecord keeps one for its own internals). */
export type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : symbol extends K ? never : K]: 0 };

/** Members every record has (`save`, `errors`, `isNewRecord`...): never a field or an association. */
type BaseKeys = KnownKeys<ActiveRecord>;
type OwnKeys<T> = Exclude<KnownKeys<T>, BaseKeys> & string;

type IsMethod<V> = IsAny<V> extends true ? false : [NonNullable<V>] extends [never] ? false : NonNullable<V> extends (...args: any[]) => any ? true : false;
/**
 * What tells a record from a field's value: a few members every record has. (Compared with ActiveRecord
 * whole, the check would read every method's signature, and those name the model's own fields: a cycle.)
 */
type RecordShape = { readonly isNewRecord: boolean; readonly isPersisted: boolean; saveOrFail: unknown };
type IsAssociation<V> = IsAny<V> extends true
  ? false
  : [NonNullable<V>] extends [never]
    ? false
    : NonNullable<V> extends RecordShape | (readonly RecordShape[] & { build: unknown; create: unknown })
      ? true
      : false;

/** Whether `K` is read-only on T: a getter without a setter (`get isAdmin()`), which is no column. */
type IsReadonly<T, K extends keyof T> =
  (<G>() => G extends { [P in K]: T[K] } ? 1 : 2) extends <G>() => G extends { -readonly [P in K]: T[K] } ? 1 : 2 ? false : true;

/** The names of a model's fields (and other declared attributes, such as `passwordConfirmation`). */
export type FieldName<T> = IsAny<T> extends true
  ? string
  : {
      [K in OwnKeys<T>]: IsMethod<T[K]> extends true ? never : IsAssociation<T[K]> extends true ? never : IsReadonly<T, K> extends true ? never : K;
    }[OwnKeys<T>];

/** The names of a model's associations: its properties typed `Loaded<Model>`, `Loaded<Model | null>` or `Loaded<Model[]>`. */
export type AssociationName<T> = IsAny<T> extends true ? string : { [K in OwnKeys<T>]: IsAssociation<T[K]> extends true ? K : never }[OwnKeys<T>];

/** The record type an association property holds: `Comment` for `Loaded<Comment[]>`, `User` for `Loaded<User | null>`. */
export type AssociationTarget<V> = NonNullable<V> extends readonly (infer E)[] ? E : NonNullable<V>;
type TargetOf<T, K> = K extends keyof T ? AssociationTarget<T[K]> : never;

/** A column a query can name: a field (`'title'`), or a joined association's (`'author.name'`). */
export type ColumnName<T> = IsAny<T> extends true ? string : FieldName<T> | `${AssociationName<T>}.${string}`;

/** An order's direction. */
export type Direction = 'asc' | 'desc' | 'ASC' | 'DESC';

/**
 * Hash conditions: each key a field (its value a scalar, null or an operator: checked at run time) or an
 * association (conditions on the joined records, a record for a belongsTo, `anyOf([records])`, or null).
 */
export type Conditions<T> = IsAny<T> extends true
  ? Record<string, unknown>
  : { [K in FieldName<T>]?: unknown } & { [K in AssociationName<T>]?: Conditions<TargetOf<T, K>> | TargetOf<T, K> | Operator | null };

/**
 * Attributes to build, create, assign or update with: the model's fields and associations, and a field's
 * confirmation (`passwordConfirmation`, `emailConfirmation`), which the `confirmation` validation reads.
 */
export type Attributes<T> = IsAny<T> extends true
  ? Record<string, unknown>
  : { [K in FieldName<T> | AssociationName<T> | `${FieldName<T>}Confirmation`]?: unknown };

/** Associations to include or join: `'author'`, `['author', 'comments']`, `{ comments: 'user' }`. */
export type Includes<T> = IsAny<T> extends true
  ? IncludeSpec
  : [AssociationName<T>] extends [never]
    ? never // a model without associations includes nothing (and `{}` would take any string)
    : AssociationName<T> | readonly Includes<T>[] | { [K in AssociationName<T>]?: Includes<TargetOf<T, K>> };

/** A model class: what the static query methods are called on. */
export type ModelClass<T = any> = (new (attrs?: any) => T) & typeof ActiveRecord;

type ScopeArgs<S> = S extends Scope<infer A> ? A : never;

/** A model's scopes as methods of its relations: `Post.published` becomes `relation.published()`. */
export type ScopeMethods<M> = { [K in keyof M as M[K] extends Scope<any> ? K : never]: (...args: ScopeArgs<M[K]>) => RelationOf<M> };

/**
 * A relation over a model class's records, with the model's scopes: what `Post.where(...)` and
 * `Post.published()` return, so that `Post.published().recent().where({ views: 0 })` is typed throughout.
 */
export type RelationOf<M> = IsAny<M> extends true ? Relation<any> : Relation<M extends abstract new (...args: any) => infer T ? T : any> & ScopeMethods<M>;

/** The type of a column's values: the field's declared type, unknown for a joined column. */
export type ValueAt<T, C> = C extends keyof T ? T[C] : unknown;
