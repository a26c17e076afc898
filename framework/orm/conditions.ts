import type { AssociationDecl, FieldDecl } from '../registry';
import { foreignKeyOf } from './associations';
import { castValue } from './cast';
import { OrmErrors } from './errors';
import { metaOf, META, type ModelMeta } from './meta';
import { anyOf, Operator } from './operators';
import type { ColRef, Node } from './query-state';

/**
 * Turning what a chain is given into data: field names into column references (`title`, `author.name`),
 * hash and SQL-fragment conditions into condition nodes, checked against the model as they come.
 */

/** Resolved field names per model (`title`, `author.name`), so a chain never resolves one twice. */
const colRefs = new WeakMap<ModelMeta, Map<string, ColRef>>();

/** On request parameters (`Params`, framework/http/params.ts): data that did not go through `permit`. */
export const REQUEST_PARAMS = Symbol.for('stryke.requestParams');
export const isRequestParams = (v: unknown): boolean => !!v && typeof v === 'object' && (v as any)[REQUEST_PARAMS] === true;

/** One value a column can equal: a string, number, boolean, bigint, Date or Buffer. */
const isScalar = (v: unknown): boolean => {
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint' || v instanceof Date || Buffer.isBuffer(v);
};
const describe = (v: unknown): string => (Array.isArray(v) ? 'an array' : isRequestParams(v) ? 'request parameters (a nested hash)' : `an object (${JSON.stringify(v)?.slice(0, 60) ?? typeof v})`);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
const isRecord = (v: unknown): v is Record<string, any> =>
  !!v && typeof v === 'object' && typeof (v as any).constructor === 'function' && Object.prototype.hasOwnProperty.call((v as any).constructor, META);

/** The model and association path a dotted name (`comments.user`) leads to. */
export function pathMeta(root: ModelMeta, path: string, label: string): { meta: ModelMeta; association: AssociationDecl } {
  let meta = root;
  let a: AssociationDecl | undefined;
  for (const name of path.split('.')) {
    a = meta.associations.get(name);
    if (!a) throw OrmErrors.UNKNOWN_ASSOCIATION(meta.model.name, name, `${[...meta.associations.keys()].join(', ') || 'none'}; in ${label}`);
    meta = metaOf(a.target());
  }
  return { meta, association: a! };
}

/** `title` or `comments.body`: a column of this model or of a joined association. */
export function colRef(root: ModelMeta, name: string, method: string): ColRef {
  const cache = colRefs.get(root);
  const hit = cache?.get(name);
  if (hit) return hit;
  const ref = resolveColRef(root, name, method);
  if (cache) cache.set(name, ref);
  else colRefs.set(root, new Map([[name, ref]]));
  return ref;
}

function resolveColRef(root: ModelMeta, name: string, method: string): ColRef {
  const dot = name.lastIndexOf('.');
  if (dot < 0) {
    const field = root.byProperty.get(name);
    if (!field) throw method === 'order' ? OrmErrors.BAD_ORDER(name, root.model.name) : OrmErrors.UNKNOWN_COLUMN(root.model.name, name, [...root.byProperty.keys()].join(', '));
    return { field };
  }
  const path = name.slice(0, dot);
  const prop = name.slice(dot + 1);
  const { meta } = pathMeta(root, path, `${method}('${name}')`);
  const field = meta.byProperty.get(prop);
  if (!field) throw method === 'order' ? OrmErrors.BAD_ORDER(name, root.model.name) : OrmErrors.UNKNOWN_COLUMN(meta.model.name, prop, [...meta.byProperty.keys()].join(', '));
  return { path, field };
}

/** Hash conditions to nodes, for this model (path undefined) or a joined association. */
export function hashNodes(modelName: string, conditions: Record<string, unknown>, meta: ModelMeta, path: string | undefined, method: string): Node[] {
  if (isRequestParams(conditions)) throw OrmErrors.UNSAFE_CONDITION(modelName, method, describe(conditions), '(all of them)');
  const added: Node[] = [];
  for (const property of Object.keys(conditions)) {
    const value = conditions[property];
    const field = meta.byProperty.get(property);
    if (!field) {
      const a = meta.associations.get(property);
      if (a && isPlainObject(value) && !isRecord(value) && !isRequestParams(value)) {
        const sub = path ? `${path}.${property}` : property;
        added.push(...hashNodes(modelName, value, metaOf(a.target()), sub, method));
        continue;
      }
      const records = value instanceof Operator && value.kind === 'in' && value.args.every(isRecord);
      if (a && a.kind === 'belongsTo' && !a.through && (value === null || isRecord(value) || records)) {
        const fk = meta.byProperty.get(foreignKeyOf(meta.model, a));
        const tpk = metaOf(a.target()).pk.property;
        if (fk) {
          const v = value === null ? null : records ? anyOf((value as Operator).args.map((r: any) => r[tpk])) : (value as any)[tpk];
          added.push(...hashNodes(modelName, { [fk.property]: v }, meta, path, method));
          continue;
        }
      }
      if (a && value !== undefined && value !== null) throw OrmErrors.UNSAFE_CONDITION(modelName, method, describe(value), property);
      throw OrmErrors.UNKNOWN_COLUMN(meta.model.name, property, [...meta.byProperty.keys()].join(', '));
    }
    added.push(fieldNode(modelName, property, value, field, path, method));
  }
  return added;
}

/**
 * One field's condition: a value (equality, cast as assignment casts it, so `{ views: '20' }` from params
 * matches on every database), null (IS NULL), or an operator from code (gt, range, anyOf, not...). A JSON
 * field compares whole values, objects included. Any other object or array is refused: it is what
 * request data looks like, and request data never becomes an operator.
 */
function fieldNode(modelName: string, property: string, value: unknown, field: FieldDecl, path: string | undefined, method: string): Node {
  if (value === undefined) throw OrmErrors.UNDEFINED_CONDITION(modelName, method, `{ ${property}: undefined }`, property);
  if (value === null) return { k: 'null', path, field };
  if (value instanceof Operator) {
    const scalar = (v: unknown, label: string) => {
      if (v === undefined) throw OrmErrors.UNDEFINED_CONDITION(modelName, method, `{ ${property}: ${label} }`, property);
      if (v !== null && !isScalar(v) && field.type !== 'json') throw OrmErrors.UNSAFE_CONDITION(modelName, method, describe(v), property);
      return v === null ? null : castValue(v, field);
    };
    if (value.kind === 'in') return { k: 'in', path, field, values: value.args.map((v) => scalar(v, 'anyOf([..., undefined])')) };
    if (value.kind === 'not') {
      const inner = fieldNode(modelName, property, value.args[0], field, path, method);
      return { k: 'not', item: inner };
    }
    const items: Node[] = (value.args as [op: '>' | '>=' | '<' | '<=', bound: unknown][]).map(([op, bound]) => ({ k: 'cmp', path, field, op, value: scalar(bound, `${op} undefined`) }));
    return items.length === 1 ? items[0]! : { k: 'and', items };
  }
  if (field.type !== 'json' && !isScalar(value)) throw OrmErrors.UNSAFE_CONDITION(modelName, method, describe(value), property);
  const cast = castValue(value, field);
  return cast === null ? { k: 'null', path, field } : { k: 'eq', path, field, value: cast };
}

/** Hash conditions, or a SQL fragment with `?` placeholders and its binds (none of them undefined). */
export function conditionNodes(root: ModelMeta, conditions: Record<string, unknown> | string, binds: unknown[], method: string): Node[] {
  if (typeof conditions === 'string') {
    const wanted = conditions.split('?').length - 1;
    if (wanted !== binds.length) throw OrmErrors.BIND_COUNT(root.model.name, JSON.stringify(conditions), wanted, binds.length);
    binds.forEach((b, i) => {
      if (b === undefined || (Array.isArray(b) && b.includes(undefined))) {
        throw OrmErrors.UNDEFINED_CONDITION(root.model.name, method, JSON.stringify(conditions), `?#${i + 1}`);
      }
      // An array fills `IN (?)`; an object or request parameters have no place in a bind.
      const bad = Array.isArray(b) ? b.find((v) => v !== null && !isScalar(v)) : b !== null && !isScalar(b) ? b : undefined;
      if (bad !== undefined) throw OrmErrors.UNSAFE_CONDITION(root.model.name, method, describe(bad), `?#${i + 1}`);
    });
    return [{ k: 'raw', sql: conditions, binds }];
  }
  return hashNodes(root.model.name, conditions, root, undefined, method);
}

/** A primary key as the database will match it; STRYKE_E_ORM_RECORD_NOT_FOUND for one that cannot be a key. */
export function checkId(model: string, meta: ModelMeta, id: unknown): unknown {
  const pk = meta.pk;
  if (id === undefined || id === null || id === '') throw OrmErrors.RECORD_NOT_FOUND(model, `${pk.property}=${String(id)}`);
  if (pk.type === 'integer') {
    if (!(typeof id === 'number' ? Number.isSafeInteger(id) : /^-?\d{1,15}$/.test(String(id)))) {
      throw OrmErrors.RECORD_NOT_FOUND(model, `${pk.property}=${JSON.stringify(id)}`);
    }
    return Number(id);
  }
  if (pk.type === 'bigint') {
    if (!(typeof id === 'bigint' || (typeof id === 'number' && Number.isSafeInteger(id)) || /^-?\d{1,19}$/.test(String(id)))) {
      throw OrmErrors.RECORD_NOT_FOUND(model, `${pk.property}=${String(id)}`);
    }
    return BigInt(id as any);
  }
  if (pk.type === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(String(id))) {
    throw OrmErrors.RECORD_NOT_FOUND(model, `${pk.property}=${JSON.stringify(id)}`);
  }
  return id;
}
