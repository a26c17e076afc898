import type { AssociationDecl, Constructor, FieldDecl, ModelDecl } from '../registry';
import type { Database } from './connection';
import { OrmErrors } from './errors';

export const META = Symbol.for('stryke.model.meta');

/**
 * Everything a model needs at run time, computed once when the app binds it to its database: quoted
 * names, the field lookup, the primary key, and the prebuilt SQL fragments.
 */
export interface ModelMeta {
  model: Constructor;
  decl: ModelDecl;
  db: Database;
  table: string;
  qtable: string;
  fields: FieldDecl[];
  byProperty: Map<string, FieldDecl>;
  pk: FieldDecl;
  associations: Map<string, AssociationDecl>;
  callbacks: Map<string, string[]>;
  hasValidations: boolean;
  /** Cache of compiled SELECT statements by query shape. */
  sqlCache: Map<string, string>;
  /** The relation class for this model, with its scopes as methods. */
  relationClass: any;
}

export function metaOf(model: Function): ModelMeta {
  const m = (model as any)[META] as ModelMeta | undefined;
  if (!m || !Object.prototype.hasOwnProperty.call(model, META)) throw OrmErrors.NOT_BOUND(model.name);
  return m;
}

export function fieldOf(meta: ModelMeta, property: string, method: string): FieldDecl {
  const f = meta.byProperty.get(property);
  if (!f) throw OrmErrors.UNKNOWN_COLUMN(meta.model.name, property, [...meta.byProperty.keys()].join(', '));
  return f;
}
