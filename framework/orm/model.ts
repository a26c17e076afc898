import {
  associationOf, buildThrough, createThrough, destroyDependents, foreignKeyOf, lazyLoad, LOADED, preloadTree, includeTree,
  relatedRelation, type IncludeSpec,
} from './associations';
import { Abort, atomically, enlist, runCallbacks } from './callbacks';
import { castErrors, castValue } from './cast';
import { isRequestParams } from './conditions';
import { ModelQueries } from './class-queries';
import { OrmErrors } from './errors';
import { STRICT } from './loading';
import { fieldOf, metaOf, META } from './meta';
import { deleteRow, insertRow, updateRow } from './persistence';
import { validationsOf } from './record-validations';
import { DESTROYED, ERRORS, ORIG, ORIG_RAW, originalAt, PERSISTED, PREVIOUS, same, snapshot, type Attrs, type Change } from './record-state';
import type { AssociationName, AssociationTarget, Attributes, FieldName, Includes, ModelClass, RelationOf } from './model-types';
import type { Relation } from './relation';
import { Errors, runValidations } from './validation';

/** A record's fields and associations by name, as the framework reads and writes them (the types name them for users). */
type Rec = Record<string, any>;

type Element<V> = V extends readonly (infer E)[] ? E : NonNullable<V>;

/**
 * An association of one record, as `record.association(name)` gives it. Whether it was loaded is part of
 * the type: `target` is the loaded value when `loaded` is true, undefined when it is false.
 */
export type AssociationHandle<V> = ({ readonly loaded: true; readonly target: V } | { readonly loaded: false; readonly target: undefined }) & {
  /** Loads it (a lazy load: counted by N+1 detection, refused under strict loading). */
  load(): Promise<V>;
  /** A new record through it, its key set (added to a loaded collection); not saved. */
  build(attrs?: Attributes<Element<V>>): Element<V>;
  /** Creates a record through it (and the join row, through a join model). */
  create(attrs?: Attributes<Element<V>>): Promise<Element<V>>;
  /** A relation over its records. */
  scope(): Relation<Element<V>>;
  /** Forgets the loaded value. */
  reset(): void;
};
export { foreignKeyOf, Abort };

/**
 * The base of every model (apps extend it as `ApplicationModel`). Instances are records; the static
 * side starts queries (`Post.where(...)`, `Post.find(id)`), each returning an immutable, awaitable
 * relation.
 */
export class ActiveRecord extends ModelQueries {
  [key: symbol]: any;

  /**
   * A new record with these attributes. (A constructor has no `this` type, so the compiler cannot check
   * these keys against the model as it does `create`'s, `build`'s, `assign`'s and `update`'s; it still
   * refuses unpermitted `Params`, which have `permit`.)
   */
  constructor(attrs?: Attrs & { permit?: never }) {
    super();
    const meta = metaOf(this.constructor);
    for (const f of meta.fields) {
      if (f.default !== undefined) (this as Rec)[f.property] = f.default;
    }
    if (attrs) this.assign(attrs);
  }

  /**
   * Sets declared fields from `attrs`; an undeclared key is an error (STRYKE_E_ORM_UNKNOWN_COLUMN), and so
   * are request parameters that did not go through `permit` (STRYKE_E_ORM_FORBIDDEN_ATTRIBUTES): `new`,
   * `create`, `update` and `build` all assign through here.
   */
  assign(attrs: Attributes<this>): this {
    const meta = metaOf(this.constructor);
    if (isRequestParams(attrs)) throw OrmErrors.FORBIDDEN_ATTRIBUTES(`${meta.model.name}#assign`);
    for (const [k, v] of Object.entries(attrs as Attrs)) {
      const a = meta.associations.get(k);
      if (a && a.kind === 'belongsTo') {
        (this as Rec)[k] = v;
        continue;
      }
      if (meta.virtuals.has(k)) {
        (this as Rec)[k] = v;
        continue;
      }
      (this as Rec)[k] = castValue(v, fieldOf(meta, k, 'assign'));
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
    return sd ? (this as Rec)[sd.property] !== null && (this as Rec)[sd.property] !== undefined : !!this[DESTROYED];
  }

  // ---- dirty tracking ----

  /** The fields whose value differs from the one read from (or last saved to) the database. */
  changed(): string[] {
    const meta = metaOf(this.constructor);
    const out: string[] = [];
    meta.fields.forEach((f, i) => {
      const v = (this as Rec)[f.property];
      if (v === undefined && !this.isNewRecord) return; // not read (select) and not set
      if (!same(originalAt(this, meta, i), v, f)) out.push(f.property);
    });
    return out;
  }

  /** `{ title: ['Before', 'After'] }` for each changed field. */
  get changes(): Record<string, Change> {
    const out: Record<string, Change> = {};
    for (const p of this.changed()) out[p] = [this.attributeWas(p as FieldName<this>), (this as Rec)[p]];
    return out;
  }

  /** Whether any field (or this one) changed since the record was read or saved. */
  hasChanges(field?: FieldName<this>): boolean {
    return field === undefined ? this.changed().length > 0 : this.changed().includes(field as string);
  }

  /** A field's value as read or last saved. */
  attributeWas(field: FieldName<this>): unknown {
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
    for (const p of this.changed()) (this as Rec)[p] = this.attributeWas(p as FieldName<this>);
    return this;
  }


  // ---- validation, save, destroy ----


  /** Runs the validations; true when there are no errors. */
  async isValid(): Promise<boolean> {
    const meta = metaOf(this.constructor);
    await runCallbacks(this, 'beforeValidation');
    if (meta.hasValidations) await runValidations(this, this.errors, validationsOf(meta));
    else this.errors.clear();
    // Values that did not cast to their field's type, and strings over their column's length: errors here,
    // never a different failure (or a silent truncation) on each database.
    const errors = this.errors;
    castErrors((this as Rec), meta.fields, (property, message) => {
      if (!errors.on(property).includes(message)) errors.add(property, message);
    });
    for (const a of meta.associations.values()) {
      if (a.kind !== 'belongsTo' || !a.required) continue;
      const fk = (this as Rec)[foreignKeyOf(this.constructor, a)];
      const assigned = this[LOADED]?.get(a.property);
      if ((fk === null || fk === undefined) && !assigned) this.errors.add(a.property, 'must exist');
    }
    await runCallbacks(this, 'afterValidation');
    return !this.errors.any;
  }

  /**
   * Validates, then inserts or updates (only the changed fields) in a transaction, with the callbacks.
   * False (with `errors` filled) when invalid or when a callback threw `Abort`.
   */
  async save(options: { validate?: boolean } = {}): Promise<boolean> {
    if (options.validate !== false && !(await this.isValid())) return false;
    const meta = metaOf(this.constructor);
    const preparers = meta.decl.preparers;
    if (preparers) for (const prepare of preparers) await prepare(this);
    const creating = this.isNewRecord;
    try {
      await atomically(meta, meta.saveNeedsTransaction, async (scope) => {
        await runCallbacks(this, 'beforeSave');
        await runCallbacks(this, creating ? 'beforeCreate' : 'beforeUpdate');
        const written = creating ? await insertRow(this, meta) : await updateRow(this, meta);
        this[PREVIOUS] = written;
        await runCallbacks(this, creating ? 'afterCreate' : 'afterUpdate');
        await runCallbacks(this, 'afterSave');
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
  async update(attrs: Attributes<this>): Promise<boolean> {
    this.assign(attrs);
    return this.save();
  }

  /** Assigns and saves; STRYKE_E_ORM_RECORD_INVALID (422) when invalid. */
  async updateOrFail(attrs: Attributes<this>): Promise<this> {
    this.assign(attrs);
    return this.saveOrFail();
  }

  /** Writes these fields straight to the row: no validations, callbacks or timestamps. */
  async updateColumns(attrs: Attributes<this>): Promise<this> {
    const meta = metaOf(this.constructor);
    this.assign(attrs);
    const values: Attrs = {};
    for (const k of Object.keys(attrs as Attrs)) values[k] = (this as Rec)[k];
    await (this.constructor as any).unscoped().where({ [meta.pk.property]: (this as Rec)[meta.pk.property] }).updateAll(values);
    const orig = this[ORIG_RAW] || !this[ORIG] ? snapshot(this, meta) : this[ORIG];
    for (const k of Object.keys(attrs as Attrs)) orig[k] = (this as Rec)[k];
    this[ORIG] = orig;
    this[ORIG_RAW] = false;
    return this;
  }

  /** Sets `updatedAt` (and any fields named) to now, without validations or callbacks. */
  async touch(...fields: FieldName<this>[]): Promise<this> {
    const meta = metaOf(this.constructor);
    const now = new Date();
    const attrs: Attrs = {};
    for (const f of meta.fields) if (f.timestamp === 'update' || (fields as string[]).includes(f.property)) attrs[f.property] = now;
    return this.updateColumns(attrs as Attributes<this>);
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
      await runCallbacks(this, 'beforeDestroy');
      await runCallbacks(this, 'afterDestroy');
      return this;
    }
    try {
      await atomically(meta, meta.destroyNeedsTransaction, async (scope) => {
        await runCallbacks(this, 'beforeDestroy');
        await destroyDependents(this);
        await deleteRow(this, meta, force);
        await runCallbacks(this, 'afterDestroy');
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
    await this.updateColumns({ [meta.softDelete.property]: null } as Attributes<this>);
    this[DESTROYED] = false;
    return this;
  }

  /** Re-reads the row, forgets loaded associations and changes. */
  async reload(): Promise<this> {
    const meta = metaOf(this.constructor);
    const fresh = await (this.constructor as any).unscoped().find((this as Rec)[meta.pk.property]);
    for (const f of meta.fields) (this as Rec)[f.property] = fresh[f.property];
    this[ORIG] = fresh[ORIG];
    this[ORIG_RAW] = fresh[ORIG_RAW];
    this[LOADED]?.clear();
    return this;
  }

  // ---- associations ----

  /** Loads one association onto this record (a lazy load: one query, counted by N+1 detection). */
  async load(...associations: Includes<this>[]): Promise<this> {
    for (const spec of associations as IncludeSpec[]) {
      if (typeof spec === 'string') await lazyLoad(this, spec);
      else await preloadTree(this.constructor, [this], includeTree(metaOf(this.constructor), [spec]), [], undefined);
    }
    return this;
  }

  /** Whether an association has been loaded (by includes, load, or assignment). */
  isLoaded(association: AssociationName<this>): boolean {
    associationOf(metaOf(this.constructor), association);
    return !!this[LOADED]?.has(association);
  }

  /** A relation over an association's records, for querying or building through it. */
  related<K extends AssociationName<this> & keyof this>(association: K): Relation<AssociationTarget<this[K]>>;
  /** With the target's class named (`user.related<typeof Post>('posts')`), the relation has its scopes too. */
  related<M extends ModelClass>(association: AssociationName<this>): RelationOf<M>;
  related(association: string): Relation {
    return relatedRelation(this, association);
  }

  /**
   * One association: whether it is loaded (typed: `target` is the value only when `loaded` is true), and
   * loading, building, creating or querying through it.
   * @example const a = post.association('author'); if (a.loaded) a.target.name; else await a.load();
   */
  association<K extends AssociationName<this> & keyof this>(name: K): AssociationHandle<this[K]> {
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

  /** The record's fields (and any loaded associations) as a plain object, for JSON. */
  toJSON(): Attrs {
    const meta = metaOf(this.constructor);
    const out: Attrs = {};
    for (const f of meta.fields) {
      if (f.sensitive) continue;
      const v = (this as Rec)[f.property] ?? null;
      // JSON has no bigint: a safe one becomes a number, a larger one a string (as JSON APIs usually do).
      out[f.property] = typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString()) : v;
    }
    for (const name of meta.associations.keys()) {
      if (this[LOADED]?.has(name)) out[name] = this[LOADED].get(name);
    }
    return out;
  }

}

export { META };
