import type { AssociationDecl, Constructor, FieldDecl, ModelDecl } from '../registry';
import type { ColumnLayout, Database } from './connection';
import { OrmErrors } from './errors';

export const META = Symbol.for('stryke.model.meta');

export interface CallbackEntry {
  method: string;
  /** afterCommit/afterRollback: the actions it runs for ('create', 'update', 'destroy'); all when absent. */
  on?: string[];
}

/**
 * Everything a model needs at run time, computed once when the app binds it to its database: quoted
 * names, the field lookup, the primary key, the prebuilt SQL fragments and the row mapper.
 */
export interface ModelMeta {
  model: Constructor;
  decl: ModelDecl;
  db: Database;
  table: string;
  qtable: string;
  fields: FieldDecl[];
  byProperty: Map<string, FieldDecl>;
  byColumn: Map<string, FieldDecl>;
  pk: FieldDecl;
  associations: Map<string, AssociationDecl>;
  callbacks: Map<string, string[]>;
  /** Callbacks with their options (afterCommit/afterRollback's `on`). */
  callbackEntries: Map<string, CallbackEntry[]>;
  hasValidations: boolean;
  /** Cache of compiled SELECT statements by query shape. */
  sqlCache: Map<string, string>;
  /** The relation class for this model, with its scopes as methods. */
  relationClass: any;
  /** Per field (same order as `fields`): the conversion from the driver's value, or null. */
  readers: (((value: unknown) => unknown) | null)[];
  /** Builds a record from a row: generated once per model. */
  hydrate: (row: Record<string, unknown>) => any;
  /** The row mapper for rows read as arrays with these columns (built once per layout). */
  arrayHydrator: (columns: ColumnLayout) => (row: unknown[]) => any;
  /** `SELECT * FROM t WHERE pk = ? LIMIT 1`, for `Model.find(id)`. */
  findSql: string;
  /** The `@SoftDelete()` field, if any. */
  softDelete?: FieldDecl;
  strictLoading: boolean;
  /** Properties that may be assigned without being fields (`passwordConfirmation`). */
  virtuals: Set<string>;
  /**
   * Whether a save (a destroy) needs a transaction of its own: only when callbacks or dependents run
   * around the statement. A lone INSERT, UPDATE or DELETE is atomic by itself.
   */
  saveNeedsTransaction: boolean;
  destroyNeedsTransaction: boolean;
  /** Writes a record as JSON text, the text JSON.stringify(record.toJSON()) gives: generated once per model at boot. */
  writeJson: (record: any) => string;
}

export function metaOf(model: Function): ModelMeta {
  const m = (model as any)[META] as ModelMeta | undefined;
  if (!m || !Object.prototype.hasOwnProperty.call(model, META)) throw OrmErrors.NOT_BOUND(model.name);
  return m;
}

export function fieldOf(meta: ModelMeta, property: string, method: string): FieldDecl {
  const f = meta.byProperty.get(property);
  if (!f) throw OrmErrors.UNKNOWN_COLUMN(meta.model.name, property, [...meta.byProperty.keys()].join(', '));
  void method;
  return f;
}
