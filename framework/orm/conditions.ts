import type { AssociationDecl } from '../registry';
import { foreignKeyOf } from './associations';
import { castValue } from './cast';
import { OrmErrors } from './errors';
import { metaOf, META, type ModelMeta } from './meta';
import type { ColRef, Node } from './query-state';

/**
 * Turning what a chain is given into data: field names into column references (`title`, `author.name`),
 * hash and SQL-fragment conditions into condition nodes, checked against the model as they come.
 */

/** Resolved field names per model (`title`, `author.name`), so a chain never resolves one twice. */
const colRefs = new WeakMap<ModelMeta, Map<string, ColRef>>();
const RANGE_KEYS = new Set(['gt', 'gte', 'lt', 'lte']);
const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** Range bounds for `where`: `range(18, 30)` is 18..30 inclusive; `{ exclusive: true }` leaves out the end. */
export function range<V>(from: V | null | undefined, to: V | null | undefined, options: { exclusive?: boolean } = {}): { gte?: V; lte?: V; lt?: V } {
  const out: { gte?: V; lte?: V; lt?: V } = {};
  if (from !== null && from !== undefined) out.gte = from;
  if (to !== null && to !== undefined) out[options.exclusive ? 'lt' : 'lte'] = to;
  return out;
}

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
  const added: Node[] = [];
  for (const property of Object.keys(conditions)) {
    const value = conditions[property];
    const field = meta.byProperty.get(property);
    if (!field) {
      const a = meta.associations.get(property);
      if (a && isPlainObject(value) && !isRecord(value)) {
        const sub = path ? `${path}.${property}` : property;
        added.push(...hashNodes(modelName, value, metaOf(a.target()), sub, method));
        continue;
      }
      if (a && a.kind === 'belongsTo' && !a.through && (value === null || isRecord(value) || (Array.isArray(value) && value.every(isRecord)))) {
        const fk = meta.byProperty.get(foreignKeyOf(meta.model, a));
        const tpk = metaOf(a.target()).pk.property;
        if (fk) {
          const v = value === null ? null : Array.isArray(value) ? value.map((r) => r[tpk]) : (value as any)[tpk];
          added.push(...hashNodes(modelName, { [fk.property]: v }, meta, path, method));
          continue;
        }
      }
      throw OrmErrors.UNKNOWN_COLUMN(meta.model.name, property, [...meta.byProperty.keys()].join(', '));
    }
    if (value === undefined || (Array.isArray(value) && value.includes(undefined))) {
      throw OrmErrors.UNDEFINED_CONDITION(modelName, method, `{ ${property}: ${Array.isArray(value) ? '[..., undefined]' : 'undefined'} }`, property);
    }
    // Values from params are strings: cast as assignment does, so { published: 'true' } or { views: '20' }
    // match the same rows on every database.
    if (value === null) added.push({ k: 'null', path, field });
    else if (Array.isArray(value) && field.type !== 'json') added.push({ k: 'in', path, field, values: value.map((v) => castValue(v, field)) });
    else if (field.type !== 'json' && isPlainObject(value) && Object.keys(value).length && Object.keys(value).every((k) => RANGE_KEYS.has(k))) {
      for (const [op, bound] of Object.entries(value)) {
        if (bound === undefined) throw OrmErrors.UNDEFINED_CONDITION(modelName, method, `{ ${property}: { ${op}: undefined } }`, property);
        if (bound === null) continue; // an open end
        added.push({ k: 'cmp', path, field, op: OPS[op as keyof typeof OPS], value: castValue(bound, field) });
      }
    } else {
      const cast = castValue(value, field);
      added.push(cast === null ? { k: 'null', path, field } : { k: 'eq', path, field, value: cast });
    }
  }
  return added;
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
