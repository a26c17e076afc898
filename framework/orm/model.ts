import type { AssociationDecl, Constructor } from '../registry';
import { camelize } from '../support/inflect';
import { castValue } from './cast';
import { OrmErrors } from './errors';
import { fieldOf, metaOf, META, type ModelMeta } from './meta';
import { Relation } from './relation';
import { Errors, runValidations } from './validation';

const PERSISTED = Symbol('persisted');
const ERRORS = Symbol('errors');
/** Loaded associations by name, read and written through the accessors `defineAssociationAccessors` installs. */
const LOADED = Symbol('loaded');

function loaded(record: ActiveRecord): Map<string, unknown> {
  return (record[LOADED] ??= new Map<string, unknown>());
}

type Attrs = Record<string, unknown>;
type ModelClass<T> = { new (attrs?: Attrs): T } & typeof ActiveRecord;

/** The foreign key of an association: `authorId` for belongsTo `author`, `postId` for Post hasMany. */
export function foreignKeyOf(owner: Function, a: AssociationDecl): string {
  if (a.foreignKey) return a.foreignKey;
  return a.kind === 'belongsTo' ? `${a.property}Id` : `${camelize(owner.name)}Id`;
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
      if (meta.associations.has(k) && meta.associations.get(k)!.kind === 'belongsTo') {
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
    return !this[PERSISTED];
  }

  get isPersisted(): boolean {
    return !!this[PERSISTED];
  }

  private async runCallbacks(event: string): Promise<void> {
    const methods = metaOf(this.constructor).callbacks.get(event);
    if (methods) for (const m of methods) await this[m]();
  }

  /** Runs the validations; true when there are no errors. */
  async isValid(): Promise<boolean> {
    const meta = metaOf(this.constructor);
    await this.runCallbacks('beforeValidation');
    if (meta.hasValidations) await runValidations(this, this.errors);
    else this.errors.clear();
    return !this.errors.any;
  }

  /** Validates, then inserts or updates. False (with `errors` filled) when invalid. */
  async save(): Promise<boolean> {
    if (!(await this.isValid())) return false;
    const meta = metaOf(this.constructor);
    const creating = this.isNewRecord;
    await this.runCallbacks('beforeSave');
    await this.runCallbacks(creating ? 'beforeCreate' : 'beforeUpdate');
    if (creating) await this.insertRow(meta);
    else await this.updateRow(meta);
    await this.runCallbacks(creating ? 'afterCreate' : 'afterUpdate');
    await this.runCallbacks('afterSave');
    return true;
  }

  /** Like save, but throws STRYKE_E_ORM_RECORD_INVALID (answered with 422) when invalid. */
  async saveOrFail(): Promise<this> {
    if (await this.save()) return this;
    const err = OrmErrors.RECORD_INVALID(this.errors.fullMessages.join(', '));
    Object.assign(err, { record: this });
    throw err;
  }

  /** Assigns and saves; false when invalid. */
  async update(attrs: Attrs): Promise<boolean> {
    this.assign(attrs);
    return this.save();
  }

  /** Runs the destroy callbacks and deletes the row (a record never saved deletes nothing). */
  async destroy(): Promise<this> {
    const meta = metaOf(this.constructor);
    await this.runCallbacks('beforeDestroy');
    const { dialect } = meta.db;
    if (this.isPersisted) {
      const sql = `DELETE FROM ${meta.qtable} WHERE ${dialect.quote(meta.pk.column)} = ${dialect.placeholder(1)}`;
      await meta.db.run(sql, [dialect.toDb(this[meta.pk.property], meta.pk)]);
    }
    this[PERSISTED] = false;
    await this.runCallbacks('afterDestroy');
    return this;
  }

  /** Re-reads the row, and forgets loaded associations. */
  async reload(): Promise<this> {
    const meta = metaOf(this.constructor);
    const fresh = await (this.constructor as typeof ActiveRecord).find(this[meta.pk.property]);
    for (const f of meta.fields) this[f.property] = fresh[f.property];
    this[LOADED]?.clear();
    return this;
  }

  /** Loads one association onto this record (one query). */
  async load(association: string): Promise<this> {
    await (this.constructor as typeof ActiveRecord).preload([this], association);
    return this;
  }

  /** A relation over an association's records, for querying or building through it. */
  related(association: string): Relation {
    const Model = this.constructor as typeof ActiveRecord;
    const meta = metaOf(Model);
    const a = meta.associations.get(association);
    if (!a) throw OrmErrors.UNKNOWN_ASSOCIATION(Model.name, association, [...meta.associations.keys()].join(', ') || 'none');
    const Target = a.target() as typeof ActiveRecord;
    const fk = foreignKeyOf(Model, a);
    if (a.kind === 'hasMany') return Target.where({ [fk]: this[meta.pk.property] });
    return Target.where({ [metaOf(Target).pk.property]: this[fk] });
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

  private async insertRow(meta: ModelMeta): Promise<void> {
    const now = new Date();
    for (const f of meta.fields) {
      // As Rails: a timestamp given by the caller (an import, a backfill) is kept.
      if (f.timestamp && (this[f.property] === undefined || this[f.property] === null)) this[f.property] = now;
    }
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
      if (result.insertId !== undefined && (pkValue === undefined || pkValue === null)) this[meta.pk.property] = Number(result.insertId);
      // Without RETURNING, fields left unset (database defaults, NULLs) are read back, so a new record
      // looks the same on every database.
      if (meta.fields.some((f) => this[f.property] === undefined)) {
        const where = `${dialect.quote(meta.pk.column)} = ${dialect.placeholder(1)}`;
        [row] = await meta.db.select(`SELECT * FROM ${meta.qtable} WHERE ${where}`, [dialect.toDb(this[meta.pk.property], meta.pk)]);
      }
    }
    if (row) for (const f of meta.fields) if (f.column in row) this[f.property] = dialect.fromDb(row[f.column], f);
    this[PERSISTED] = true;
  }

  private async updateRow(meta: ModelMeta): Promise<void> {
    for (const f of meta.fields) if (f.timestamp === 'update') this[f.property] = new Date();
    const { dialect } = meta.db;
    const pairs = this.fieldValues(meta, false);
    if (!pairs.length) return;
    const sets = pairs.map(([c], i) => `${dialect.quote(c)} = ${dialect.placeholder(i + 1)}`).join(', ');
    const sql = `UPDATE ${meta.qtable} SET ${sets} WHERE ${dialect.quote(meta.pk.column)} = ${dialect.placeholder(pairs.length + 1)}`;
    await meta.db.run(sql, [...pairs.map(([, v]) => v), this[meta.pk.property]]);
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
    return new (metaOf(this).relationClass)(this);
  }

  static where<T extends ActiveRecord>(this: ModelClass<T>, conditions: Attrs | string, ...binds: unknown[]): Relation<T> {
    return this.all<T>().where(conditions, ...binds);
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

  static includes<T extends ActiveRecord>(this: ModelClass<T>, ...associations: string[]): Relation<T> {
    return this.all<T>().includes(...associations);
  }

  static find<T extends ActiveRecord>(this: ModelClass<T>, id: unknown): Promise<T> {
    return this.all<T>().find(id);
  }

  static findBy<T extends ActiveRecord>(this: ModelClass<T>, conditions: Attrs): Promise<T | null> {
    return this.all<T>().findBy(conditions);
  }

  static first<T extends ActiveRecord>(this: ModelClass<T>): Promise<T | null> {
    return this.all<T>().first();
  }

  static count(this: ModelClass<any>): Promise<number> {
    return this.all().count();
  }

  static exists(this: ModelClass<any>): Promise<boolean> {
    return this.all().exists();
  }

  /** Deletes every row in one statement (no callbacks); the number deleted. */
  static deleteAll(this: ModelClass<any>): Promise<number> {
    return this.all().deleteAll();
  }

  /** Builds, validates and inserts; throws STRYKE_E_ORM_RECORD_INVALID (422) when invalid. */
  static async create<T extends ActiveRecord>(this: ModelClass<T>, attrs: Attrs = {}): Promise<T> {
    const record = new this(attrs);
    await record.saveOrFail();
    return record;
  }

  /** Builds a record from a database row, without running the constructor. */
  static hydrate<T extends ActiveRecord>(this: ModelClass<T>, row: Record<string, unknown>): T {
    const meta = metaOf(this);
    const record = Object.create(this.prototype) as ActiveRecord;
    for (const f of meta.fields) record[f.property] = meta.db.dialect.fromDb(row[f.column], f);
    record[PERSISTED] = true;
    return record as T;
  }

  /** Loads `association` for every record with one query, matched by key. */
  static async preload(records: ActiveRecord[], association: string): Promise<void> {
    if (!records.length) return;
    const meta = metaOf(this);
    const a = meta.associations.get(association);
    if (!a) throw OrmErrors.UNKNOWN_ASSOCIATION(this.name, association, [...meta.associations.keys()].join(', ') || 'none');
    const Target = a.target() as typeof ActiveRecord;
    const tmeta = metaOf(Target);
    const fk = foreignKeyOf(this, a);
    const set = (r: ActiveRecord, v: unknown) => loaded(r).set(association, v);
    if (a.kind === 'belongsTo') {
      const keys = [...new Set(records.map((r) => r[fk]).filter((k) => k !== null && k !== undefined))];
      const found = keys.length ? await Target.where({ [tmeta.pk.property]: keys }) : [];
      const byKey = new Map(found.map((t) => [String(t[tmeta.pk.property]), t]));
      for (const r of records) set(r, byKey.get(String(r[fk])) ?? null);
    } else {
      const keys = [...new Set(records.map((r) => r[meta.pk.property]))];
      const found = await Target.where({ [fk]: keys });
      const groups = new Map<string, ActiveRecord[]>();
      for (const t of found) {
        const k = String(t[fk]);
        const g = groups.get(k);
        if (g) g.push(t);
        else groups.set(k, [t]);
      }
      for (const r of records) set(r, groups.get(String(r[meta.pk.property])) ?? []);
    }
  }
}

/** Installs the not-loaded guard for each association: reading one that was not loaded is an error. */
export function defineAssociationAccessors(model: Constructor, meta: ModelMeta): void {
  for (const [name] of meta.associations) {
    if (Object.prototype.hasOwnProperty.call(model.prototype, name)) continue;
    Object.defineProperty(model.prototype, name, {
      configurable: true,
      get(this: ActiveRecord) {
        const map = this[LOADED] as Map<string, unknown> | undefined;
        if (map?.has(name)) return map.get(name);
        throw OrmErrors.ASSOCIATION_NOT_LOADED(model.name, name, name, name);
      },
      set(this: ActiveRecord, value: unknown) {
        loaded(this).set(name, value);
        const a = meta.associations.get(name)!;
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
