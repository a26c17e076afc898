import type { AssociationDecl, Constructor } from '../registry';
import { camelize, singularize } from '../support';
import { OrmErrors } from './errors';
import { markBatch, noteLazyLoad } from './loading';
import { metaOf, type ModelMeta } from './meta';
import type { Attributes } from './model-types';
import { anyOf } from './operators';

/** Loaded associations by name, read and written through the accessors `defineAssociationAccessors` installs. */
export const LOADED = Symbol.for('stryke.loaded');
/** A collection's owner and association name. */
const OWNER = Symbol('stryke.owner');
const NAME = Symbol('stryke.association');

export function loadedMap(record: any): Map<string, unknown> {
  return (record[LOADED] ??= new Map<string, unknown>());
}

/** An include tree: `{ comments: { author: {} }, author: {} }`. */
export type IncludeTree = { [association: string]: IncludeTree };
/** What `includes` accepts: names, and objects naming nested includes. */
export type IncludeSpec = string | readonly IncludeSpec[] | { [association: string]: IncludeSpec };

/** The foreign key of an association: `authorId` for belongsTo `author`, `postId` for Post hasMany/hasOne. */
export function foreignKeyOf(owner: Function, a: AssociationDecl): string {
  if (a.foreignKey) return a.foreignKey;
  if (a.kind === 'belongsTo') return `${a.property}Id`;
  // Inflecting the owner's name costs more than the rest of an include: once per model.
  let fk = ownerKeys.get(owner);
  if (fk === undefined) ownerKeys.set(owner, (fk = `${camelize(owner.name)}Id`));
  return fk;
}
const ownerKeys = new WeakMap<Function, string>();

export function associationOf(meta: ModelMeta, name: string): AssociationDecl {
  const a = meta.associations.get(name);
  if (!a) throw OrmErrors.UNKNOWN_ASSOCIATION(meta.model.name, name, [...meta.associations.keys()].join(', ') || 'none');
  return a;
}

/** For a `through` association: the association it goes through, and the one on the far side. */
export function throughOf(meta: ModelMeta, a: AssociationDecl): { through: AssociationDecl; throughModel: Constructor; source: AssociationDecl } {
  const through = associationOf(meta, a.through!);
  const throughModel = through.target();
  const tmeta = metaOf(throughModel);
  const names = a.sourceAssociation ? [a.sourceAssociation] : [a.property, singularize(a.property)];
  for (const n of names) {
    const source = tmeta.associations.get(n);
    if (source) {
      if (source.through) throw OrmErrors.BAD_ASSOCIATION(meta.model.name, a.property, `its source ${throughModel.name}#${n} is itself a through association, which is not supported`);
      return { through, throughModel, source };
    }
  }
  throw OrmErrors.BAD_ASSOCIATION(meta.model.name, a.property, `${throughModel.name} has no association ${names.map((n) => `"${n}"`).join(' or ')} to go through "${a.through}" with (name it with { source: '...' })`);
}

/** Normalizes `includes` arguments into a tree, checking every name against the models. */
export function includeTree(meta: ModelMeta, specs: readonly IncludeSpec[], into: IncludeTree = {}): IncludeTree {
  const add = (name: string, nested: readonly IncludeSpec[]) => {
    const a = associationOf(meta, name);
    const sub = into[name] ? { ...into[name] } : {};
    into[name] = nested.length ? includeTree(metaOf(a.target()), nested, sub) : sub;
  };
  for (const spec of specs) {
    if (typeof spec === 'string') add(spec, []);
    else if (Array.isArray(spec)) includeTree(meta, spec, into);
    else for (const [name, nested] of Object.entries(spec as Record<string, IncludeSpec>)) add(name, [nested]);
  }
  return into;
}

const keyOf = (v: unknown) => (typeof v === 'string' ? v : String(v));

/** The values of one association for each record (by index), loaded with one query (two for through). */
export async function fetchAssociation(Model: any, records: any[], a: AssociationDecl): Promise<unknown[]> {
  const meta = metaOf(Model);
  const Target = a.target() as any;
  const tmeta = metaOf(Target);
  if (a.through) {
    const { through, throughModel, source } = throughOf(meta, a);
    const mids = await fetchAssociation(Model, records, through);
    const midRecords: any[] = [];
    const seen = new Set<any>();
    for (const m of mids) {
      for (const r of Array.isArray(m) ? m : m ? [m] : []) if (!seen.has(r)) (seen.add(r), midRecords.push(r));
    }
    const finals = midRecords.length ? await fetchAssociation(throughModel, midRecords, source) : [];
    const byMid = new Map<any, unknown>(midRecords.map((r, i) => [r, finals[i]]));
    return mids.map((m) => {
      const out: any[] = [];
      for (const r of Array.isArray(m) ? m : m ? [m] : []) {
        const v = byMid.get(r);
        if (Array.isArray(v)) out.push(...v);
        else if (v) out.push(v);
      }
      return a.kind === 'hasOne' ? out[0] ?? null : out;
    });
  }
  const fk = foreignKeyOf(Model, a);
  if (a.kind === 'belongsTo') {
    const keys = [...new Set(records.map((r) => r[fk]).filter((k) => k !== null && k !== undefined))];
    const found: any[] = keys.length ? await Target.where({ [tmeta.pk.property]: anyOf(keys) }) : [];
    const byKey = new Map(found.map((t) => [keyOf(t[tmeta.pk.property]), t]));
    return records.map((r) => byKey.get(keyOf(r[fk])) ?? null);
  }
  const keys = [...new Set(records.map((r) => r[meta.pk.property]).filter((k) => k !== null && k !== undefined))];
  const found: any[] = keys.length ? await Target.where({ [fk]: anyOf(keys) }) : [];
  const groups = new Map<string, any[]>();
  for (const t of found) {
    const k = keyOf(t[fk]);
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  if (a.kind === 'hasOne') return records.map((r) => groups.get(keyOf(r[meta.pk.property]))?.[0] ?? null);
  return records.map((r) => groups.get(keyOf(r[meta.pk.property])) ?? []);
}

/** Sets an association's loaded value on a record (a hasMany as a CollectionProxy). */
export function setLoaded(record: any, name: string, a: AssociationDecl, value: unknown): void {
  loadedMap(record).set(name, a.kind === 'hasMany' ? toCollection(record, name, value as any[]) : value);
}

/**
 * Loads an include tree onto records: one query per association (two for through), then the nested
 * includes on the loaded records. Records loaded together are marked for N+1 detection.
 */
export async function preloadTree(Model: any, records: any[], tree: IncludeTree, path: string[], strict: boolean | undefined): Promise<void> {
  if (!records.length) return;
  const meta = metaOf(Model);
  for (const [name, nested] of Object.entries(tree)) {
    const a = associationOf(meta, name);
    const values = await fetchAssociation(Model, records, a);
    const children: any[] = [];
    records.forEach((r, i) => {
      const v = values[i];
      setLoaded(r, name, a, v);
      if (Array.isArray(v)) children.push(...v);
      else if (v) children.push(v);
    });
    const childPath = [...path, name];
    markBatch(children, a.target().name, childPath, strict);
    if (Object.keys(nested).length) await preloadTree(a.target(), children, nested, childPath, strict);
  }
}

/** A lazy load of one association onto one record (counted for N+1 detection, refused under strict loading). */
export async function lazyLoad(record: any, name: string): Promise<unknown> {
  const Model = record.constructor;
  const meta = metaOf(Model);
  const a = associationOf(meta, name);
  noteLazyLoad(record, Model.name, name, meta.strictLoading);
  const [value] = await fetchAssociation(Model, [record], a);
  setLoaded(record, name, a, value);
  return loadedMap(record).get(name);
}

/** A relation over an association's records, for querying or building through it. */
export function relatedRelation(record: any, name: string): any {
  const Model = record.constructor;
  const meta = metaOf(Model);
  const a = associationOf(meta, name);
  const Target = a.target() as any;
  const tmeta = metaOf(Target);
  const dialect = meta.db.dialect;
  const q = dialect.quote;
  if (a.through) {
    const { through, throughModel, source } = throughOf(meta, a);
    const thmeta = metaOf(throughModel);
    const col = (m: ModelMeta, prop: string) => `${m.qtable}.${q(m.byProperty.get(prop)?.column ?? prop)}`;
    // SELECT <link> FROM through WHERE <owner link> ; Target.<col> IN (...)
    let ownerCol: string;
    let ownerValue: unknown;
    if (through.kind === 'belongsTo') {
      ownerCol = col(thmeta, thmeta.pk.property);
      ownerValue = record[foreignKeyOf(Model, through)];
    } else {
      ownerCol = col(thmeta, foreignKeyOf(Model, through));
      ownerValue = record[meta.pk.property];
    }
    let linkCol: string;
    let targetCol: string;
    if (source.kind === 'belongsTo') {
      linkCol = col(thmeta, foreignKeyOf(throughModel, source));
      targetCol = col(tmeta, tmeta.pk.property);
    } else {
      linkCol = col(thmeta, thmeta.pk.property);
      targetCol = col(tmeta, foreignKeyOf(throughModel, source));
    }
    const soft = thmeta.softDelete ? ` AND ${col(thmeta, thmeta.softDelete.property)} IS NULL` : '';
    if (ownerValue === null || ownerValue === undefined) return Target.none();
    return Target.where(`${targetCol} IN (SELECT ${linkCol} FROM ${thmeta.qtable} WHERE ${ownerCol} = ?${soft})`, ownerValue);
  }
  const fk = foreignKeyOf(Model, a);
  if (a.kind === 'belongsTo') {
    const v = record[fk];
    return v === null || v === undefined ? Target.none() : Target.where({ [tmeta.pk.property]: v });
  }
  const pk = record[meta.pk.property];
  if (pk === null || pk === undefined) return Target.none();
  return Target.where({ [fk]: pk });
}

function ownerKey(record: any, a: AssociationDecl, action: string): unknown {
  const meta = metaOf(record.constructor);
  const pk = record[meta.pk.property];
  if (record.isNewRecord || pk === undefined || pk === null) {
    throw OrmErrors.OWNER_NOT_SAVED(action, record.constructor.name, a.property, record.constructor.name);
  }
  return pk;
}

/** A record built through an association: its foreign key set, added to the loaded collection. */
export function buildThrough(record: any, name: string, attrs: Record<string, unknown> = {}): any {
  const Model = record.constructor;
  const meta = metaOf(Model);
  const a = associationOf(meta, name);
  const Target = a.target() as any;
  if (a.through || a.kind === 'belongsTo') {
    const built = new Target(attrs);
    if (a.kind === 'belongsTo') loadedMap(record).set(name, built);
    else addToLoaded(record, name, built);
    return built;
  }
  const built = new Target({ ...attrs, [foreignKeyOf(Model, a)]: ownerKey(record, a, 'build') });
  if (a.kind === 'hasOne') loadedMap(record).set(name, built);
  else addToLoaded(record, name, built);
  return built;
}

function addToLoaded(record: any, name: string, item: any): void {
  const list = record[LOADED]?.get(name);
  if (Array.isArray(list)) list.push(item);
}

/** Creates a record through an association (and, through a join model, the join record), in one transaction. */
export async function createThrough(record: any, name: string, attrs: Record<string, unknown> = {}): Promise<any> {
  const Model = record.constructor;
  const meta = metaOf(Model);
  const a = associationOf(meta, name);
  const Target = a.target() as any;
  if (a.kind === 'belongsTo') {
    const created = await Target.create(attrs);
    record[name] = created;
    return created;
  }
  if (!a.through) {
    const created = await Target.create({ ...attrs, [foreignKeyOf(Model, a)]: ownerKey(record, a, 'create') });
    if (a.kind === 'hasOne') loadedMap(record).set(name, created);
    else addToLoaded(record, name, created);
    return created;
  }
  const { through, throughModel, source } = throughOf(meta, a);
  if (through.kind === 'belongsTo' || source.kind !== 'belongsTo') {
    throw OrmErrors.BAD_ASSOCIATION(Model.name, name, `create through "${a.through}" needs a join model (${Model.name} hasMany ${a.through}, ${throughModel.name} belongsTo ${source.property})`);
  }
  const ownerPk = ownerKey(record, a, 'create');
  return meta.db.transaction(async () => {
    const created = await Target.create(attrs);
    const tmeta = metaOf(Target);
    await (throughModel as any).create({ [foreignKeyOf(Model, through)]: ownerPk, [foreignKeyOf(throughModel, source)]: created[tmeta.pk.property] });
    if (a.kind === 'hasOne') loadedMap(record).set(name, created);
    else addToLoaded(record, name, created);
    return created;
  }, { join: true });
}

/**
 * A loaded hasMany: an array of the records, which can also build and create more through the
 * association (`post.comments.create({ body })`). `map`, `filter` and the like return plain arrays.
 */
export class CollectionProxy<T = any> extends Array<T> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /** Always true: an association not loaded reads as a placeholder whose `loaded` is false. */
  get loaded(): boolean {
    return true;
  }

  /** A new record with the foreign key set, added to this collection (not saved). */
  build(attrs: Attributes<T> = {}): T {
    return buildThrough((this as any)[OWNER], (this as any)[NAME], attrs as Record<string, unknown>);
  }

  /** Creates a record through the association (STRYKE_E_ORM_RECORD_INVALID when invalid), added to this collection. */
  create(attrs: Attributes<T> = {}): Promise<T> {
    return createThrough((this as any)[OWNER], (this as any)[NAME], attrs as Record<string, unknown>);
  }
}

function toCollection(owner: any, name: string, items: any[]): CollectionProxy {
  // A plain array given the collection's prototype: constructing an Array subclass element by element
  // costs ten times as much, and includes make one per record.
  const c = items.slice() as any;
  Object.setPrototypeOf(c, CollectionProxy.prototype);
  c[OWNER] = owner;
  c[NAME] = name;
  return c;
}

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * What an association that was not loaded reads as: a placeholder whose `loaded` is false. `await` on it
 * loads it (a lazy load: counted for N+1 detection); `build`/`create` work; anything else throws
 * STRYKE_E_ORM_ASSOCIATION_NOT_LOADED.
 */
export function notLoaded(record: any, name: string): unknown {
  const modelName = record.constructor.name;
  const target = {
    loaded: false,
    then(resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) {
      return lazyLoad(record, name).then(resolve, reject);
    },
    load: () => lazyLoad(record, name),
    build: (attrs?: Record<string, unknown>) => buildThrough(record, name, attrs),
    create: (attrs?: Record<string, unknown>) => createThrough(record, name, attrs),
    toString: () => `[${modelName}#${name}: not loaded]`,
    [inspectSymbol]: () => `[${modelName}#${name}: not loaded]`,
  };
  return new Proxy(target, {
    get(t, key) {
      if (key in t) return (t as any)[key];
      if (key === Symbol.toPrimitive || key === Symbol.toStringTag) return undefined;
      throw notLoadedError(modelName, name);
    },
    has(t, key) {
      if (key in t) return true;
      throw notLoadedError(modelName, name);
    },
    ownKeys() {
      throw notLoadedError(modelName, name);
    },
  });
}

export function notLoadedError(model: string, name: string): Error {
  return OrmErrors.ASSOCIATION_NOT_LOADED(model, name, name, name);
}

/** What destroying a record does to its dependents: runs inside the destroy's transaction. */
export async function destroyDependents(record: any): Promise<void> {
  const meta = metaOf(record.constructor);
  for (const a of meta.associations.values()) {
    if (!a.dependent || a.kind === 'belongsTo') continue;
    const rel = relatedRelation(record, a.property);
    if (a.dependent === 'destroy') {
      for (const child of await rel.toArray()) await child.destroy();
      record[LOADED]?.delete(a.property);
    } else if (a.dependent === 'nullify') {
      await rel.updateAll({ [foreignKeyOf(record.constructor, a)]: null });
    } else {
      await rel.deleteAll();
    }
  }
}
