import { randomUUID } from 'node:crypto';
import type { Constructor, FieldDecl } from '../registry';
import {
  associationOf, buildThrough, createThrough, destroyDependents, foreignKeyOf, lazyLoad, loadedMap, LOADED, notLoaded,
  preloadTree, includeTree, relatedRelation, setLoaded, type IncludeSpec,
} from './associations';
import { castValue } from './cast';
import { transactionHooks, type TransactionScope } from './connection';
import { OrmErrors } from './errors';
import { STRICT } from './loading';
import { fieldOf, metaOf, META, type ModelMeta } from './meta';
import { checkId, Relation, type GroupedRelation, type Page } from './relation';
import { Errors, runValidations, type ModelValidations } from './validation';

export const PERSISTED = Symbol('stryke.persisted');
const ERRORS = Symbol('stryke.errors');
/**
 * The values the record was read or last saved with: a snapshot by property, or the row as read. For a
 * row, ORIG_RAW is true (an object by column) or the fields' positions in it (an array; -1: not read).
 */
export const ORIG = Symbol('stryke.original');
export const ORIG_RAW = Symbol('stryke.originalRaw');
const PREVIOUS = Symbol('stryke.previousChanges');
const DESTROYED = Symbol('stryke.destroyed');

type Attrs = Record<string, unknown>;
type Element<V> = V extends readonly (infer E)[] ? E : NonNullable<V>;

/**
 * An association of one record, as `record.association(name)` gives it. Whether it was loaded is part of
 * the type: `target` is the loaded value when `loaded` is true, undefined when it is false.
 */
export type AssociationHandle<V> = ({ readonly loaded: true; readonly target: V } | { readonly loaded: false; readonly target: undefined }) & {
  /** Loads it (a lazy load: counted by N+1 detection, refused under strict loading). */
  load(): Promise<V>;
  /** A new record through it, its key set (added to a loaded collection); not saved. */
  build(attrs?: Attrs): Element<V>;
  /** Creates a record through it (and the join row, through a join model). */
  create(attrs?: Attrs): Promise<Element<V>>;
  /** A relation over its records. */
  scope(): Relation<Element<V>>;
  /** Forgets the loaded value. */
  reset(): void;
};
type ModelClass<T> = { new (attrs?: Attrs): T } & typeof ActiveRecord;
type Change = [before: unknown, after: unknown];

export { foreignKeyOf };

/**
 * Thrown from a before* callback, halts the chain quietly: `save()` returns false (with the message, if
 * any, on `errors.on('base')`) and nothing is written.
 * @example @BeforeSave() checkQuota() { if (this.overQuota) throw new Abort('Quota exceeded'); }
 */
export class Abort extends Error {
  constructor(message?: string) {
    super(message ?? 'Aborted by a callback');
    this.name = 'Abort';
    this.userMessage = message;
  }
  readonly userMessage: string | undefined;
}

function same(a: unknown, b: unknown, f: FieldDecl): boolean {
  if (a === b) return true;
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn;
  if (a instanceof Date || b instanceof Date) return new Date(a as any).getTime() === new Date(b as any).getTime();
  switch (f.type) {
    case 'json': return JSON.stringify(a) === JSON.stringify(b);
    case 'decimal': return String(a) === String(b) || Number(a) === Number(b);
    case 'bigint': case 'integer': case 'float': return String(a) === String(b);
    default: return false;
  }
}

function originalAt(record: ActiveRecord, meta: ModelMeta, i: number): unknown {
  const f = meta.fields[i]!;
  const o = record[ORIG];
  if (!o) return f.default;
  const raw = record[ORIG_RAW] as boolean | number[] | undefined;
  if (!raw) return o[f.property];
  const v = raw === true ? o[f.column] : raw[i]! < 0 ? undefined : o[raw[i]!];
  if (v === undefined || v === null) return v;
  const r = meta.readers[i];
  return r ? r(v) : v;
}

function snapshot(record: ActiveRecord, meta: ModelMeta): Attrs {
  const out: Attrs = {};
  for (const f of meta.fields) {
    const v = record[f.property];
    out[f.property] = f.type === 'json' && v !== null && typeof v === 'object' ? structuredClone(v) : v;
  }
  return out;
}

/**
 * The base of every model (apps extend it as `ApplicationModel`). Instances are records; the static
 * side starts queries (`Post.where(...)`, `Post.find(id)`), each returning an immutable, awaitable
 * relation.
 */
export class ActiveRecord {
  [key: string]: any;
  [key: symbol]: any;

  constructor(attrs?: Attrs) {
    const meta = metaOf(this.constructor);
    for (const f of meta.fields) {
      if (f.default !== undefined) this[f.property] = f.default;
    }
    if (attrs) this.assign(attrs);
  }

  /** Sets declared fields from `attrs`; an undeclared key is an error (STRYKE_E_ORM_UNKNOWN_COLUMN). */
  assign(attrs: Attrs): this {
    const meta = metaOf(this.constructor);
    for (const [k, v] of Object.entries(attrs)) {
      const a = meta.associations.get(k);
      if (a && a.kind === 'belongsTo') {
        this[k] = v;
        continue;
      }
      if (meta.virtuals.has(k)) {
        this[k] = v;
        continue;
      }
      this[k] = castValue(v, fieldOf(meta, k, 'assign'));
    }
    return this;
  }

  get errors(): Errors {
    return (this[ERRORS] ??= new Errors());
  }

  get isNewRecord(): boolean {
    return !this[PERSISTED] && !this[DESTROYED];
  }

  get isPersisted(): boolean {
    return !!this[PERSISTED];
  }

  /** True after `destroy()` (for a soft-deleted record too). */
  get isDestroyed(): boolean {
    return !!this[DESTROYED];
  }

  /** Soft delete: whether the record is marked deleted. */
  get isDeleted(): boolean {
    const sd = metaOf(this.constructor).softDelete;
    return sd ? this[sd.property] !== null && this[sd.property] !== undefined : !!this[DESTROYED];
  }

  // ---- dirty tracking ----

  /** The fields whose value differs from the one read from (or last saved to) the database. */
  changed(): string[] {
    const meta = metaOf(this.constructor);
    const out: string[] = [];
    meta.fields.forEach((f, i) => {
      const v = this[f.property];
      if (v === undefined && !this.isNewRecord) return; // not read (select) and not set
      if (!same(originalAt(this, meta, i), v, f)) out.push(f.property);
    });
    return out;
  }

  /** `{ title: ['Before', 'After'] }` for each changed field. */
  get changes(): Record<string, Change> {
    const out: Record<string, Change> = {};
    for (const p of this.changed()) out[p] = [this.attributeWas(p), this[p]];
    return out;
  }

  /** Whether any field (or this one) changed since the record was read or saved. */
  hasChanges(field?: string): boolean {
    return field === undefined ? this.changed().length > 0 : this.changed().includes(field);
  }

  /** A field's value as read or last saved. */
  attributeWas(field: string): unknown {
    const meta = metaOf(this.constructor);
    const i = meta.fields.findIndex((f) => f.property === field);
    if (i < 0) throw OrmErrors.UNKNOWN_COLUMN(this.constructor.name, field, [...meta.byProperty.keys()].join(', '));
    return originalAt(this, meta, i);
  }

  /** The changes the last save wrote. */
  get previousChanges(): Record<string, Change> {
    return this[PREVIOUS] ?? {};
  }

  /** Puts changed fields back to their values as read or last saved. */
  restoreAttributes(): this {
    for (const p of this.changed()) this[p] = this.attributeWas(p);
    return this;
  }

  private markSaved(meta: ModelMeta): void {
    this[ORIG] = snapshot(this, meta);
    this[ORIG_RAW] = false;
  }

  // ---- validation, save, destroy ----

  private async runCallbacks(event: string): Promise<void> {
    const methods = metaOf(this.constructor).callbacks.get(event);
    if (methods) for (const m of methods) await this[m]();
  }

  /** Runs the validations; true when there are no errors. */
  async isValid(): Promise<boolean> {
    const meta = metaOf(this.constructor);
    await this.runCallbacks('beforeValidation');
    if (meta.hasValidations) await runValidations(this, this.errors, validationsOf(meta));
    else this.errors.clear();
    for (const a of meta.associations.values()) {
      if (a.kind !== 'belongsTo' || !a.required) continue;
      const fk = this[foreignKeyOf(this.constructor, a)];
      const assigned = this[LOADED]?.get(a.property);
      if ((fk === null || fk === undefined) && !assigned) this.errors.add(a.property, 'must exist');
    }
    await this.runCallbacks('afterValidation');
    return !this.errors.any;
  }

  /**
   * Validates, then inserts or updates (only the changed fields) in a transaction, with the callbacks.
   * False (with `errors` filled) when invalid or when a callback threw `Abort`.
   */
  async save(options: { validate?: boolean } = {}): Promise<boolean> {
    if (options.validate !== false && !(await this.isValid())) return false;
    const meta = metaOf(this.constructor);
    const creating = this.isNewRecord;
    try {
      await atomically(meta, meta.saveNeedsTransaction, async (scope) => {
        await this.runCallbacks('beforeSave');
        await this.runCallbacks(creating ? 'beforeCreate' : 'beforeUpdate');
        const written = creating ? await this.insertRow(meta) : await this.updateRow(meta);
        this[PREVIOUS] = written;
        await this.runCallbacks(creating ? 'afterCreate' : 'afterUpdate');
        await this.runCallbacks('afterSave');
        enlist(scope, this, creating ? 'create' : 'update');
      });
    } catch (err) {
      if (err instanceof Abort) {
        if (err.userMessage) this.errors.add('base', err.userMessage);
        return false;
      }
      throw err;
    }
    return true;
  }

  /** Like save, but throws STRYKE_E_ORM_RECORD_INVALID (answered with 422) when invalid. */
  async saveOrFail(options: { validate?: boolean } = {}): Promise<this> {
    if (await this.save(options)) return this;
    if (this.errors.any && this.errors.on('base').length < this.errors.count) {
      const err = OrmErrors.RECORD_INVALID(this.errors.fullMessages.join(', '));
      Object.assign(err, { record: this });
      throw err;
    }
    const err = OrmErrors.RECORD_NOT_SAVED(this.constructor.name, this.errors.fullMessages.join(', ') || 'a callback aborted it');
    Object.assign(err, { record: this });
    throw err;
  }

  /** Assigns and saves; false when invalid. */
  async update(attrs: Attrs): Promise<boolean> {
    this.assign(attrs);
    return this.save();
  }

  /** Assigns and saves; STRYKE_E_ORM_RECORD_INVALID (422) when invalid. */
  async updateOrFail(attrs: Attrs): Promise<this> {
    this.assign(attrs);
    return this.saveOrFail();
  }

  /** Writes these fields straight to the row: no validations, callbacks or timestamps. */
  async updateColumns(attrs: Attrs): Promise<this> {
    const meta = metaOf(this.constructor);
    this.assign(attrs);
    const values: Attrs = {};
    for (const k of Object.keys(attrs)) values[k] = this[k];
    await (this.constructor as any).unscoped().where({ [meta.pk.property]: this[meta.pk.property] }).updateAll(values);
    const orig = this[ORIG_RAW] || !this[ORIG] ? snapshot(this, meta) : this[ORIG];
    for (const k of Object.keys(attrs)) orig[k] = this[k];
    this[ORIG] = orig;
    this[ORIG_RAW] = false;
    return this;
  }

  /** Sets `updatedAt` (and any fields named) to now, without validations or callbacks. */
  async touch(...fields: string[]): Promise<this> {
    const meta = metaOf(this.constructor);
    const now = new Date();
    const attrs: Attrs = {};
    for (const f of meta.fields) if (f.timestamp === 'update' || fields.includes(f.property)) attrs[f.property] = now;
    return this.updateColumns(attrs);
  }

  /**
   * Runs the destroy callbacks, applies the associations' `dependent` option, and deletes the row (sets
   * the `@SoftDelete` field instead when the model has one), in one transaction. A record never saved
   * deletes nothing.
   */
  async destroy(): Promise<this> {
    return this.destroyRow(false);
  }

  /** Deletes the row even when the model soft-deletes. */
  async reallyDestroy(): Promise<this> {
    return this.destroyRow(true);
  }

  private async destroyRow(force: boolean): Promise<this> {
    const meta = metaOf(this.constructor);
    if (!this.isPersisted) {
      await this.runCallbacks('beforeDestroy');
      await this.runCallbacks('afterDestroy');
      return this;
    }
    const { dialect } = meta.db;
    try {
      await atomically(meta, meta.destroyNeedsTransaction, async (scope) => {
        await this.runCallbacks('beforeDestroy');
        await destroyDependents(this);
        const where = `${dialect.quote(meta.pk.column)} = ${dialect.placeholder(meta.softDelete && !force ? 2 : 1)}`;
        const key = dialect.toDb(this[meta.pk.property], meta.pk);
        if (meta.softDelete && !force) {
          const now = new Date();
          await meta.db.run(`UPDATE ${meta.qtable} SET ${dialect.quote(meta.softDelete.column)} = ${dialect.placeholder(1)} WHERE ${where}`, [dialect.toDb(now, meta.softDelete), key]);
          this[meta.softDelete.property] = now;
          this.markSaved(meta);
        } else {
          await meta.db.run(`DELETE FROM ${meta.qtable} WHERE ${where}`, [key]);
          this[PERSISTED] = false;
        }
        this[DESTROYED] = true;
        await this.runCallbacks('afterDestroy');
        enlist(scope, this, 'destroy');
      });
    } catch (err) {
      if (err instanceof Abort) {
        const e = OrmErrors.RECORD_NOT_DESTROYED(this.constructor.name, err.userMessage ?? 'a callback aborted it');
        Object.assign(e, { record: this });
        throw e;
      }
      throw err;
    }
    return this;
  }

  /** Soft delete: clears the deleted mark. */
  async restore(): Promise<this> {
    const meta = metaOf(this.constructor);
    if (!meta.softDelete) throw OrmErrors.BAD_ASSOCIATION(this.constructor.name, 'restore', 'the model has no @SoftDelete() field');
    await this.updateColumns({ [meta.softDelete.property]: null });
    this[DESTROYED] = false;
    return this;
  }

  /** Re-reads the row, forgets loaded associations and changes. */
  async reload(): Promise<this> {
    const meta = metaOf(this.constructor);
    const fresh = await (this.constructor as any).unscoped().find(this[meta.pk.property]);
    for (const f of meta.fields) this[f.property] = fresh[f.property];
    this[ORIG] = fresh[ORIG];
    this[ORIG_RAW] = fresh[ORIG_RAW];
    this[LOADED]?.clear();
    return this;
  }

  // ---- associations ----

  /** Loads one association onto this record (a lazy load: one query, counted by N+1 detection). */
  async load(...associations: IncludeSpec[]): Promise<this> {
    for (const spec of associations) {
      if (typeof spec === 'string') await lazyLoad(this, spec);
      else await preloadTree(this.constructor, [this], includeTree(metaOf(this.constructor), [spec]), [], undefined);
    }
    return this;
  }

  /** Whether an association has been loaded (by includes, load, or assignment). */
  isLoaded(association: string): boolean {
    associationOf(metaOf(this.constructor), association);
    return !!this[LOADED]?.has(association);
  }

  /** A relation over an association's records, for querying or building through it. */
  related(association: string): Relation {
    return relatedRelation(this, association);
  }

  /**
   * One association: whether it is loaded (typed: `target` is the value only when `loaded` is true), and
   * loading, building, creating or querying through it.
   * @example const a = post.association('author'); if (a.loaded) a.target.name; else await a.load();
   */
  association<K extends string & keyof this>(name: K): AssociationHandle<this[K]> {
    associationOf(metaOf(this.constructor), name);
    const record = this;
    return {
      get loaded() { return !!record[LOADED]?.has(name); },
      get target() { return record[LOADED]?.get(name); },
      load: () => lazyLoad(record, name),
      build: (attrs?: Attrs) => buildThrough(record, name, attrs),
      create: (attrs?: Attrs) => createThrough(record, name, attrs),
      scope: () => relatedRelation(record, name),
      reset: () => void record[LOADED]?.delete(name),
    } as AssociationHandle<this[K]>;
  }

  /** Lazy loads of this record's associations are refused (or allowed again with false). */
  strictLoading(on = true): this {
    this[STRICT] = on;
    return this;
  }

  private fieldValues(meta: ModelMeta, includePk: boolean): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const f of meta.fields) {
      if (f.primary && !includePk) continue;
      const v = this[f.property];
      if (v === undefined) continue;
      out.push([f.column, meta.db.dialect.toDb(v, f)]);
    }
    return out;
  }

  private async insertRow(meta: ModelMeta): Promise<Record<string, Change>> {
    const now = new Date();
    for (const f of meta.fields) {
      // As Rails: a timestamp given by the caller (an import, a backfill) is kept.
      if (f.timestamp && (this[f.property] === undefined || this[f.property] === null)) this[f.property] = now;
    }
    if (meta.pk.type === 'uuid' && (this[meta.pk.property] === undefined || this[meta.pk.property] === null)) this[meta.pk.property] = randomUUID();
    const written = this.changes;
    const { dialect } = meta.db;
    const pkValue = this[meta.pk.property];
    const pairs = this.fieldValues(meta, pkValue !== undefined && pkValue !== null);
    const cols = pairs.map(([c]) => dialect.quote(c)).join(', ');
    const values = pairs.map((_, i) => dialect.placeholder(i + 1)).join(', ');
    let sql = pairs.length
      ? `INSERT INTO ${meta.qtable} (${cols}) VALUES (${values})`
      : dialect.adapter === 'mysql' ? `INSERT INTO ${meta.qtable} () VALUES ()` : `INSERT INTO ${meta.qtable} DEFAULT VALUES`;
    if (dialect.returning) sql += ' RETURNING *';
    const result = await meta.db.run(sql, pairs.map(([, v]) => v));
    let row = dialect.returning ? result.rows[0] : undefined;
    if (!dialect.returning) {
      if (result.insertId !== undefined && (pkValue === undefined || pkValue === null)) this[meta.pk.property] = meta.pk.type === 'bigint' ? BigInt(result.insertId) : Number(result.insertId);
      // Without RETURNING, fields left unset (database defaults, NULLs) are read back, so a new record
      // looks the same on every database.
      if (meta.fields.some((f) => this[f.property] === undefined)) {
        const where = `${dialect.quote(meta.pk.column)} = ${dialect.placeholder(1)}`;
        [row] = await meta.db.select(`SELECT * FROM ${meta.qtable} WHERE ${where}`, [dialect.toDb(this[meta.pk.property], meta.pk)]);
      }
    }
    if (row) meta.fields.forEach((f, i) => {
      if (!(f.column in row!)) return;
      const v = row![f.column];
      const r = meta.readers[i];
      this[f.property] = v === null || v === undefined ? null : r ? r(v) : v;
    });
    this[PERSISTED] = true;
    this.markSaved(meta);
    return written;
  }

  private async updateRow(meta: ModelMeta): Promise<Record<string, Change>> {
    const changed = new Set(this.changed());
    if (!changed.size) return {};
    for (const f of meta.fields) {
      if (f.timestamp === 'update' && !changed.has(f.property)) {
        this[f.property] = new Date();
        changed.add(f.property);
      }
    }
    const written = this.changes;
    const { dialect } = meta.db;
    const pairs: [string, unknown][] = [];
    for (const f of meta.fields) if (changed.has(f.property) && !f.primary) pairs.push([f.column, dialect.toDb(this[f.property], f)]);
    if (pairs.length) {
      const sets = pairs.map(([c], i) => `${dialect.quote(c)} = ${dialect.placeholder(i + 1)}`).join(', ');
      const sql = `UPDATE ${meta.qtable} SET ${sets} WHERE ${dialect.quote(meta.pk.column)} = ${dialect.placeholder(pairs.length + 1)}`;
      await meta.db.run(sql, [...pairs.map(([, v]) => v), dialect.toDb(this.attributeWas(meta.pk.property) ?? this[meta.pk.property], meta.pk)]);
    }
    this.markSaved(meta);
    return written;
  }

  /** The record's fields (and any loaded associations) as a plain object, for JSON. */
  toJSON(): Attrs {
    const meta = metaOf(this.constructor);
    const out: Attrs = {};
    for (const f of meta.fields) {
      const v = this[f.property] ?? null;
      // JSON has no bigint: a safe one becomes a number, a larger one a string (as JSON APIs usually do).
      out[f.property] = typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString()) : v;
    }
    for (const name of meta.associations.keys()) {
      if (this[LOADED]?.has(name)) out[name] = this[LOADED].get(name);
    }
    return out;
  }

  // ---- the static side: queries ----

  /** A relation over every row; the start of any chain. */
  static all<T extends ActiveRecord>(this: ModelClass<T>): Relation<T> {
    const meta = metaOf(this);
    return new meta.relationClass(this, undefined, meta);
  }

  static where<T extends ActiveRecord>(this: ModelClass<T>, conditions: Attrs | string, ...binds: unknown[]): Relation<T> {
    return this.all<T>().where(conditions, ...binds);
  }

  static whereNot<T extends ActiveRecord>(this: ModelClass<T>, conditions: Attrs | string, ...binds: unknown[]): Relation<T> {
    return this.all<T>().whereNot(conditions, ...binds);
  }

  static order<T extends ActiveRecord>(this: ModelClass<T>, field: string | Record<string, string>, direction?: string): Relation<T> {
    return this.all<T>().order(field, direction);
  }

  static limit<T extends ActiveRecord>(this: ModelClass<T>, n: number): Relation<T> {
    return this.all<T>().limit(n);
  }

  static offset<T extends ActiveRecord>(this: ModelClass<T>, n: number): Relation<T> {
    return this.all<T>().offset(n);
  }

  static select<T extends ActiveRecord>(this: ModelClass<T>, ...fields: string[]): Relation<T> {
    return this.all<T>().select(...fields);
  }

  static distinct<T extends ActiveRecord>(this: ModelClass<T>): Relation<T> {
    return this.all<T>().distinct();
  }

  static joins<T extends ActiveRecord>(this: ModelClass<T>, ...associations: IncludeSpec[]): Relation<T> {
    return this.all<T>().joins(...associations);
  }

  static leftJoins<T extends ActiveRecord>(this: ModelClass<T>, ...associations: IncludeSpec[]): Relation<T> {
    return this.all<T>().leftJoins(...associations);
  }

  static group<T extends ActiveRecord>(this: ModelClass<T>, ...fields: string[]): GroupedRelation<T> & Relation<T> {
    return this.all<T>().group(...fields);
  }

  static includes<T extends ActiveRecord>(this: ModelClass<T>, ...associations: IncludeSpec[]): Relation<T> {
    return this.all<T>().includes(...associations);
  }

  /**
   * `Post.preload('author')` is `includes`; `Post.preload(records, 'author')` loads an association onto
   * records already read (one query).
   */
  static preload<T extends ActiveRecord>(this: ModelClass<T>, ...associations: IncludeSpec[]): Relation<T>;
  static preload(records: ActiveRecord[], association: string): Promise<void>;
  static preload(this: any, first: any, ...rest: any[]): any {
    if (Array.isArray(first) && first.every((r) => r instanceof ActiveRecord)) {
      const tree = includeTree(metaOf(this), rest);
      return preloadTree(this, first, tree, [], undefined);
    }
    return this.all().includes(first, ...rest);
  }

  static lock<T extends ActiveRecord>(this: ModelClass<T>): Relation<T> {
    return this.all<T>().lock();
  }

  static none<T extends ActiveRecord>(this: ModelClass<T>): Relation<T> {
    return this.all<T>().none();
  }

  /** Every row, without default scopes (soft-deleted rows included). */
  static unscoped<T extends ActiveRecord>(this: ModelClass<T>): Relation<T> {
    return this.all<T>().unscoped();
  }

  static withDeleted<T extends ActiveRecord>(this: ModelClass<T>): Relation<T> {
    return this.all<T>().withDeleted();
  }

  static onlyDeleted<T extends ActiveRecord>(this: ModelClass<T>): Relation<T> {
    return this.all<T>().onlyDeleted();
  }

  static strictLoading<T extends ActiveRecord>(this: ModelClass<T>, on = true): Relation<T> {
    return this.all<T>().strictLoading(on);
  }

  /** The record with this primary key; STRYKE_E_ORM_RECORD_NOT_FOUND (404) when there is none. */
  static async find<T extends ActiveRecord>(this: ModelClass<T>, id: unknown): Promise<T> {
    const meta = metaOf(this);
    if (meta.softDelete) return this.all<T>().find(id);
    const key = checkId(this.name, meta, id);
    const out = meta.db.execute(meta.findSql, [meta.db.dialect.toDb(key, meta.pk)], true);
    const { rows, columns } = out instanceof Promise ? await out : out;
    if (!rows.length) throw OrmErrors.RECORD_NOT_FOUND(this.name, `${meta.pk.property}=${String(id)}`);
    return columns ? meta.arrayHydrator(columns)(rows[0] as unknown[]) : meta.hydrate(rows[0]!);
  }

  static findBy<T extends ActiveRecord>(this: ModelClass<T>, conditions: Attrs): Promise<T | null> {
    return this.all<T>().findBy(conditions);
  }

  static findByOrFail<T extends ActiveRecord>(this: ModelClass<T>, conditions: Attrs): Promise<T> {
    return this.all<T>().findByOrFail(conditions);
  }

  static findOrCreateBy<T extends ActiveRecord>(this: ModelClass<T>, attrs: Attrs, extra?: Attrs): Promise<T> {
    return this.all<T>().findOrCreateBy(attrs, extra);
  }

  static findOrInitializeBy<T extends ActiveRecord>(this: ModelClass<T>, attrs: Attrs, extra?: Attrs): Promise<T> {
    return this.all<T>().findOrInitializeBy(attrs, extra);
  }

  static first<T extends ActiveRecord>(this: ModelClass<T>): Promise<T | null>;
  static first<T extends ActiveRecord>(this: ModelClass<T>, n: number): Promise<T[]>;
  static first(this: any, n?: number): any {
    return n === undefined ? this.all().first() : this.all().first(n);
  }

  static last<T extends ActiveRecord>(this: ModelClass<T>): Promise<T | null>;
  static last<T extends ActiveRecord>(this: ModelClass<T>, n: number): Promise<T[]>;
  static last(this: any, n?: number): any {
    return n === undefined ? this.all().last() : this.all().last(n);
  }

  static take<T extends ActiveRecord>(this: ModelClass<T>): Promise<T | null>;
  static take<T extends ActiveRecord>(this: ModelClass<T>, n: number): Promise<T[]>;
  static take(this: any, n?: number): any {
    return n === undefined ? this.all().take() : this.all().take(n);
  }

  static count(this: ModelClass<any>, field?: string): Promise<number> {
    return this.all().count(field);
  }

  static sum(this: ModelClass<any>, field: string): Promise<number> {
    return this.all().sum(field);
  }

  static average(this: ModelClass<any>, field: string): Promise<number | null> {
    return this.all().average(field);
  }

  static minimum(this: ModelClass<any>, field: string): Promise<any> {
    return this.all().minimum(field);
  }

  static maximum(this: ModelClass<any>, field: string): Promise<any> {
    return this.all().maximum(field);
  }

  static pluck(this: ModelClass<any>, ...fields: string[]): Promise<any[]> {
    return this.all().pluck(...fields);
  }

  static ids(this: ModelClass<any>): Promise<any[]> {
    return this.all().ids();
  }

  static exists(this: ModelClass<any>): Promise<boolean> {
    return this.all().exists();
  }

  static paginate<T extends ActiveRecord>(this: ModelClass<T>, options?: { page?: unknown; perPage?: number }): Promise<Page<T>> {
    return this.all<T>().paginate(options);
  }

  static findEach<T extends ActiveRecord>(this: ModelClass<T>, options?: { batchSize?: number }): AsyncGenerator<T, void, undefined>;
  static findEach<T extends ActiveRecord>(this: ModelClass<T>, fn: (record: T) => unknown, options?: { batchSize?: number }): Promise<void>;
  static findEach(this: any, a?: any, b?: any): any {
    return this.all().findEach(a, b);
  }

  static findInBatches<T extends ActiveRecord>(this: ModelClass<T>, options?: { batchSize?: number }): AsyncGenerator<T[], void, undefined> {
    return this.all<T>().findInBatches(options);
  }

  static inBatches<T extends ActiveRecord>(this: ModelClass<T>, fn: (batch: Relation<T>) => unknown, options?: { batchSize?: number }): Promise<void> {
    return this.all<T>().inBatches(fn, options);
  }

  /** Updates every row in one statement (no validations or callbacks); the number updated. */
  static updateAll(this: ModelClass<any>, attrs: Attrs | string, ...binds: unknown[]): Promise<number> {
    return this.all().updateAll(attrs, ...binds);
  }

  /** Deletes every row in one statement (no callbacks); the number deleted. */
  static deleteAll(this: ModelClass<any>): Promise<number> {
    return this.all().deleteAll();
  }

  static destroyAll<T extends ActiveRecord>(this: ModelClass<T>): Promise<T[]> {
    return this.all<T>().destroyAll();
  }

  /** Builds, validates and inserts; throws STRYKE_E_ORM_RECORD_INVALID (422) when invalid. */
  static async create<T extends ActiveRecord>(this: ModelClass<T>, attrs: Attrs = {}): Promise<T> {
    const record = new this(attrs);
    await record.saveOrFail();
    return record;
  }

  /**
   * Runs `fn` in a transaction: every model statement inside it (however deep) uses the transaction's
   * connection. Committed when fn returns, rolled back when it throws; nested, a savepoint.
   */
  static transaction<R>(this: ModelClass<any>, fn: () => Promise<R> | R): Promise<R> {
    return metaOf(this).db.transaction(() => fn());
  }

  /** Builds a record from a database row, without running the constructor. */
  static hydrate<T extends ActiveRecord>(this: ModelClass<T>, row: Record<string, unknown>): T {
    return metaOf(this).hydrate(row);
  }
}

/**
 * Runs a save's or destroy's work in the enclosing transaction, in a new one when callbacks or dependents
 * run around the statement, or else as the lone statement it is (auto-committed: afterCommit runs at once).
 */
async function atomically(meta: ModelMeta, needsTransaction: boolean, body: (scope: TransactionScope) => Promise<void>): Promise<void> {
  const outer = meta.db.currentTransaction();
  if (outer || needsTransaction) {
    await meta.db.transaction(body, { join: true });
    return;
  }
  const records: TransactionScope['records'] = [];
  await body({ records } as unknown as TransactionScope);
  if (records.length) await transactionHooks.commit(records);
}

function enlist(scope: TransactionScope, record: ActiveRecord, action: 'create' | 'update' | 'destroy'): void {
  const meta = metaOf(record.constructor);
  if (meta.callbackEntries.has('afterCommit') || meta.callbackEntries.has('afterRollback')) scope.records.push({ record, action });
}

async function runTransactionCallbacks(event: 'afterCommit' | 'afterRollback', records: TransactionScope['records']): Promise<void> {
  // One run per record, as Rails does, for the actions it went through in the transaction.
  const byRecord = new Map<ActiveRecord, Set<string>>();
  for (const { record, action } of records) {
    const s = byRecord.get(record);
    if (s) s.add(action);
    else byRecord.set(record, new Set([action]));
  }
  for (const [record, actions] of byRecord) {
    const entries = metaOf(record.constructor).callbackEntries.get(event);
    if (!entries) continue;
    for (const e of entries) if (!e.on || e.on.some((a) => actions.has(a))) await record[e.method]();
  }
}

transactionHooks.commit = (records) => runTransactionCallbacks('afterCommit', records);
transactionHooks.rollback = (records) => runTransactionCallbacks('afterRollback', records);

const validationCache = new WeakMap<ModelMeta, ModelValidations>();

function validationsOf(meta: ModelMeta): ModelValidations {
  let v = validationCache.get(meta);
  if (!v) {
    v = {
      rules: meta.decl.validations,
      methods: meta.decl.validators ?? [],
      async taken(record, property, scope, caseSensitive) {
        const Model = record.constructor as any;
        const f = meta.byProperty.get(property)!;
        let rel = Model.unscoped();
        const value = record[property];
        if (!caseSensitive && typeof value === 'string') {
          const q = meta.db.dialect.quote(f.column);
          rel = rel.where(`LOWER(${q}) = LOWER(?)`, value);
        } else {
          rel = rel.where({ [property]: value });
        }
        for (const s of scope) rel = rel.where({ [s]: record[s] ?? null });
        if (record.isPersisted) rel = rel.whereNot({ [meta.pk.property]: record.attributeWas(meta.pk.property) ?? record[meta.pk.property] });
        return rel.exists();
      },
    };
    validationCache.set(meta, v);
  }
  return v;
}

/** Installs the association accessors: the loaded value, or a placeholder that knows it was not loaded. */
export function defineAssociationAccessors(model: Constructor, meta: ModelMeta): void {
  for (const [name] of meta.associations) {
    if (Object.prototype.hasOwnProperty.call(model.prototype, name)) continue;
    Object.defineProperty(model.prototype, name, {
      configurable: true,
      get(this: ActiveRecord) {
        const map = this[LOADED] as Map<string, unknown> | undefined;
        if (map?.has(name)) return map.get(name);
        return notLoaded(this, name);
      },
      set(this: ActiveRecord, value: unknown) {
        const a = meta.associations.get(name)!;
        if (a.kind === 'hasMany') {
          setLoaded(this, name, a, Array.isArray(value) ? value : []);
          return;
        }
        loadedMap(this).set(name, value);
        if (a.kind === 'belongsTo' && value === null) this[foreignKeyOf(model, a)] = null;
        else if (a.kind === 'belongsTo' && value && typeof value === 'object') {
          const target = metaOf(a.target());
          this[foreignKeyOf(model, a)] = (value as any)[target.pk.property];
        }
      },
    });
  }
}

export { META };
