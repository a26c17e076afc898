import { preloadTree } from './associations';
import { findInBatches, inBatches, paginate, type Page } from './batches';
import { deleteAll, updateAll } from './bulk';
import { average, count, exists, maximum, minimum, pluck, sum } from './calculations';
import { statement } from './compile';
import { checkId } from './conditions';
import { OrmErrors } from './errors';
import { markBatch } from './loading';
import type { Attributes, ColumnName, Conditions, ValueAt } from './model-types';
import type { ColRef } from './query-state';
import { RelationQuery } from './relation-query';

export { checkId } from './conditions';
export { range } from './operators';
export type { Page } from './batches';
export type { Grouped } from './calculations';
export type { GroupedRelation, OrderBy } from './relation-query';

/**
 * A query over one model: immutable (every method returns a new relation) and thenable (`await` runs it).
 * Values are always bound; identifiers always quoted; a condition given `undefined` is refused rather
 * than matching every row. Building it is `RelationQuery`'s part; running it (finders, calculations,
 * batches, bulk writes) is this class's. A model's scopes are its relations' methods (`RelationOf<typeof Post>`).
 * @example const posts = await Post.where({ published: true }).order('createdAt', 'desc').limit(20);
 */
export class Relation<T = any> extends RelationQuery<T> implements PromiseLike<T[]> {
  /** Runs the query: an array of model instances, with included associations loaded. */
  async toArray(): Promise<T[]> {
    if (this.state.none) return [];
    const meta = this.meta;
    const { sql, binds } = statement(this.meta, this.state, null);
    const out = meta.db.execute(sql, binds, true);
    const { rows, columns } = out instanceof Promise ? await out : out;
    const hydrate: (row: any) => T = columns ? meta.arrayHydrator(columns) : meta.hydrate;
    const records = new Array<T>(rows.length);
    for (let i = 0; i < rows.length; i++) records[i] = hydrate(rows[i]!);
    markBatch(records, this.model.name, [], this.state.strict);
    if (this.state.includes) await preloadTree(this.model, records, this.state.includes, [], this.state.strict);
    return records;
  }

  then<R1 = T[], R2 = never>(onfulfilled?: ((value: T[]) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return this.toArray().then(onfulfilled, onrejected);
  }

  /** The first record by the order (the primary key when there is none); `first(n)` the first n. */
  first(): Promise<T | null>;
  first(n: number): Promise<T[]>;
  async first(n?: number): Promise<T | T[] | null> {
    const rel = this.state.orders.length ? this : this.order(this.meta.pk.property as ColumnName<T>, 'asc');
    const rows = await rel.limit(n ?? 1).toArray();
    return n === undefined ? rows[0] ?? null : rows;
  }

  /** The last record by the order reversed (the primary key when there is none); `last(n)` the last n, in order. */
  last(): Promise<T | null>;
  last(n: number): Promise<T[]>;
  async last(n?: number): Promise<T | T[] | null> {
    const orders = this.state.orders.length ? this.state.orders : [[{ field: this.meta.pk }, 'ASC'] as [ColRef, 'ASC']];
    const reversed = this.with({ orders: orders.map(([c, d]) => [c, d === 'ASC' ? 'DESC' : 'ASC'] as [ColRef, 'ASC' | 'DESC']) });
    const rows = await reversed.limit(n ?? 1).toArray();
    return n === undefined ? rows[0] ?? null : rows.reverse();
  }

  /** Any record (no order); `take(n)` any n. */
  take(): Promise<T | null>;
  take(n: number): Promise<T[]>;
  async take(n?: number): Promise<T | T[] | null> {
    const rows = await this.limit(n ?? 1).toArray();
    return n === undefined ? rows[0] ?? null : rows;
  }

  async findBy(conditions: Conditions<T>): Promise<T | null> {
    return this.where(conditions).take();
  }

  /** Like findBy, but STRYKE_E_ORM_RECORD_NOT_FOUND (404) when there is none. */
  async findByOrFail(conditions: Conditions<T>): Promise<T> {
    const found = await this.findBy(conditions);
    if (!found) throw OrmErrors.RECORD_NOT_FOUND(this.model.name, JSON.stringify(conditions));
    return found;
  }

  /** The record with this primary key; a 404-answering STRYKE_E_ORM_RECORD_NOT_FOUND when there is none. */
  async find(id: unknown): Promise<T> {
    const meta = this.meta;
    const key = checkId(this.model.name, meta, id);
    const found = await this.where({ [meta.pk.property]: key } as Conditions<T>).limit(1).toArray();
    if (!found[0]) throw OrmErrors.RECORD_NOT_FOUND(this.model.name, `${meta.pk.property}=${String(id)}`);
    return found[0];
  }

  /** The first record matching `attrs`, or a new one created from them (and `extra`), in one transaction. */
  async findOrCreateBy(attrs: Conditions<T> & Attributes<T>, extra: Attributes<T> = {}): Promise<T> {
    return this.meta.db.transaction(async () => (await this.findBy(attrs)) ?? this.create({ ...attrs, ...extra }), { join: true });
  }

  /** The first record matching `attrs`, or a new (unsaved) one built from them. */
  async findOrInitializeBy(attrs: Conditions<T> & Attributes<T>, extra: Attributes<T> = {}): Promise<T> {
    return (await this.findBy(attrs)) ?? this.build({ ...attrs, ...extra });
  }

  /** The equality conditions of this relation on its own fields, as attributes (for build/create). */
  private scopeAttributes(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const n of this.state.where) {
      if (n.k === 'eq' && !n.path) out[n.field.property] = n.value;
    }
    return out;
  }

  /** A new record with this relation's equality conditions as attributes: `post.related('comments').build({...})`. */
  build(attrs: Attributes<T> = {}): T {
    return new this.model({ ...this.scopeAttributes(), ...attrs });
  }

  /** Builds and saves (STRYKE_E_ORM_RECORD_INVALID when invalid). */
  async create(attrs: Attributes<T> = {}): Promise<T> {
    const record = this.build(attrs) as any;
    await record.saveOrFail();
    return record;
  }
  /** The number of matching rows (within limit and offset when given); `count('field')` counts non-null values. Grouped: per group. */
  count(field?: ColumnName<T>): Promise<number> {
    return count(this.meta, this.state, field) as Promise<number>;
  }

  /** The sum of a numeric field (0 when no rows); a decimal field's as a string. */
  sum(field: ColumnName<T>): Promise<number> {
    return sum(this.meta, this.state, field);
  }

  /** The mean of a numeric field, or null when no rows. */
  average(field: ColumnName<T>): Promise<number | null> {
    return average(this.meta, this.state, field);
  }

  /** The smallest value of a field (null when no rows), read as the field's type. */
  minimum<C extends ColumnName<T>>(field: C): Promise<ValueAt<T, C> | null> {
    return minimum(this.meta, this.state, field);
  }

  /** The largest value of a field (null when no rows), read as the field's type. */
  maximum<C extends ColumnName<T>>(field: C): Promise<ValueAt<T, C> | null> {
    return maximum(this.meta, this.state, field);
  }

  /** The values of one field (an array), or of several (an array of arrays), without building records. */
  pluck<C extends ColumnName<T>>(field: C): Promise<ValueAt<T, C>[]>;
  pluck(...fields: ColumnName<T>[]): Promise<unknown[][]>;
  pluck(...fields: string[]): Promise<unknown[]> {
    return pluck(this.meta, this.state, fields);
  }

  /** The primary keys of the matching rows. */
  ids(): Promise<(T extends { id: infer I } ? I : unknown)[]> {
    return this.pluck(this.meta.pk.property as ColumnName<T>) as Promise<(T extends { id: infer I } ? I : unknown)[]>;
  }

  /** Whether any row matches (one `SELECT 1 ... LIMIT 1`). */
  exists(): Promise<boolean> {
    return exists(this.meta, this.state);
  }

  /**
   * One page and the totals: `paginate({ page: params.page, perPage: 20 })`. A page that is missing,
   * not a number or below 1 reads as 1 (it usually comes from a query string).
   */
  paginate(options: { page?: unknown; perPage?: number } = {}): Promise<Page<T>> {
    return paginate<T, this>((patch) => this.with(patch), options);
  }

  /**
   * The matching records in batches by primary key (keyset: `WHERE id > last ORDER BY id LIMIT n`), so a
   * large table is never loaded whole. The relation's own order is replaced by the key.
   */
  findInBatches(options: { batchSize?: number } = {}): AsyncGenerator<T[], void, undefined> {
    return findInBatches<T, this>(this.meta, this.state, (patch) => this.with(patch), options);
  }

  /** Each matching record, read in batches: `for await (const post of Post.findEach())`, or `findEach(fn)`. */
  findEach(options?: { batchSize?: number }): AsyncGenerator<T, void, undefined>;
  findEach(fn: (record: T) => unknown, options?: { batchSize?: number }): Promise<void>;
  findEach(a?: ((record: T) => unknown) | { batchSize?: number }, b?: { batchSize?: number }): any {
    const self = this;
    if (typeof a === 'function') {
      return (async () => {
        for await (const batch of self.findInBatches(b)) for (const r of batch) await a(r);
      })();
    }
    return (async function* () {
      for await (const batch of self.findInBatches(a)) yield* batch;
    })();
  }

  /**
   * Calls `fn` with a relation over each batch of matching primary keys (keyset by primary key), to
   * update or delete by: `await Post.where(...).inBatches((batch) => batch.updateAll({ views: 0 }))`.
   * (A relation is awaitable, so it is handed to a callback rather than yielded.)
   */
  inBatches(fn: (batch: this) => unknown, options: { batchSize?: number } = {}): Promise<void> {
    return inBatches<this>(this.meta, this.state, (patch) => this.with(patch), fn, options);
  }

  /** Updates every matching row in one statement (no validations, callbacks or timestamps); the number updated. */
  updateAll(attrs: Attributes<T> | string, ...binds: unknown[]): Promise<number> {
    return updateAll(this.meta, this.state, attrs, binds);
  }

  /** Deletes every matching row in one statement (no callbacks); the number deleted. */
  deleteAll(): Promise<number> {
    return deleteAll(this.meta, this.state);
  }

  /** Destroys every matching record one by one, with callbacks and dependents; the records. */
  async destroyAll(): Promise<T[]> {
    const records = await this.toArray();
    for (const r of records) await (r as any).destroy();
    return records;
  }

}
