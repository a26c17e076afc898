import { includeTree, preloadTree, type IncludeSpec, type IncludeTree } from './associations';
import { findInBatches, inBatches, paginate, type Page } from './batches';
import { deleteAll, updateAll } from './bulk';
import { average, count, exists, maximum, minimum, pluck, sum, type Grouped } from './calculations';
import { statement } from './compile';
import { checkId, colRef, conditionNodes } from './conditions';
import { OrmErrors } from './errors';
import { markBatch } from './loading';
import { metaOf, type ModelMeta } from './meta';
import { copyState, EMPTY, type ColRef, type Node, type State } from './query-state';

export { checkId } from './conditions';
export { range } from './operators';
export type { Page } from './batches';
export type { Grouped } from './calculations';

/** The calculations of a relation after `group(...)`: one result per group. */
export interface GroupedRelation<T> extends PromiseLike<T[]> {
  where(conditions: Record<string, unknown> | string, ...binds: unknown[]): GroupedRelation<T>;
  having(sql: string, ...binds: unknown[]): GroupedRelation<T>;
  order(field: string | Record<string, string>, direction?: string): GroupedRelation<T>;
  joins(...associations: IncludeSpec[]): GroupedRelation<T>;
  leftJoins(...associations: IncludeSpec[]): GroupedRelation<T>;
  limit(n: number): GroupedRelation<T>;
  count(field?: string): Promise<Grouped<number>>;
  sum(field: string): Promise<Grouped<number | string>>;
  average(field: string): Promise<Grouped<number | null>>;
  minimum(field: string): Promise<Grouped<unknown>>;
  maximum(field: string): Promise<Grouped<unknown>>;
  pluck(...fields: string[]): Promise<unknown[]>;
  toSQL(): { sql: string; binds: unknown[] };
}

/**
 * A query over one model: immutable (every method returns a new relation) and thenable (`await` runs it).
 * Values are always bound; identifiers always quoted; a condition given `undefined` is refused rather
 * than matching every row.
 * @example const posts = await Post.where({ published: true }).order('createdAt', 'desc').limit(20);
 */
export class Relation<T = any> implements PromiseLike<T[]> {
  readonly model: any;
  protected readonly state: State;

  constructor(model: any, state: State = EMPTY, meta?: ModelMeta) {
    this.model = model;
    this.state = state;
    this.cachedMeta = meta;
  }

  private cachedMeta: ModelMeta | undefined;

  protected get meta(): ModelMeta {
    return (this.cachedMeta ??= metaOf(this.model));
  }

  /** A relation like this one over another state. */
  private derive(state: State): this {
    const Ctor = this.constructor as new (m: any, s: State, meta: ModelMeta | undefined) => this;
    return new Ctor(this.model, state, this.cachedMeta);
  }

  private with(patch: Partial<State>): this {
    return this.derive(Object.assign(copyState(this.state), patch));
  }

  // ---- building ----

  /**
   * Hash conditions (`{ published: true, authorId: anyOf([1, 2]), deletedAt: null, views: gte(10) }`), on a
   * joined association too (`{ comments: { body: 'x' } }`), or a SQL fragment with `?` placeholders
   * (`where('views > ?', 100)`).
   */
  where(conditions: Record<string, unknown> | string, ...binds: unknown[]): this {
    const next = copyState(this.state);
    next.where = this.state.where.concat(conditionNodes(this.meta, conditions, binds, 'where'));
    return this.derive(next);
  }

  /** The negation of `where`: `whereNot({ published: true })`, `whereNot({ rating: null })` (IS NOT NULL). */
  whereNot(conditions: Record<string, unknown> | string, ...binds: unknown[]): this {
    const nodes = conditionNodes(this.meta, conditions, binds, 'whereNot');
    if (!nodes.length) return this;
    return this.with({ where: [...this.state.where, { k: 'not', item: nodes.length === 1 ? nodes[0]! : { k: 'and', items: nodes } }] });
  }

  /** Rows matching this relation's conditions or the other's: `Post.where({ a }).or(Post.where({ b }))`. */
  or(other: Relation<any> | Record<string, unknown> | string, ...binds: unknown[]): this {
    const theirs = other instanceof Relation ? other.state.where : conditionNodes(this.meta, other, binds, 'or');
    const group = (nodes: Node[]): Node => (nodes.length === 1 ? nodes[0]! : { k: 'and', items: nodes });
    if (!this.state.where.length || !theirs.length) return this.with({ where: [] });
    return this.with({ where: [{ k: 'or', items: [group(this.state.where), group(theirs)] }] });
  }

  /** `order('createdAt', 'desc')`, `order({ createdAt: 'desc', id: 'asc' })`, or a joined column (`'author.name'`). */
  order(field: string | Record<string, string>, direction = 'asc'): this {
    const next = copyState(this.state);
    const orders = (next.orders = this.state.orders.slice());
    // Only declared fields (and association paths) resolve: raw SQL never reaches ORDER BY.
    if (typeof field === 'string') orders.push([colRef(this.meta, field, 'order'), this.direction(field, direction)]);
    else for (const name of Object.keys(field)) orders.push([colRef(this.meta, name, 'order'), this.direction(name, field[name])]);
    return this.derive(next);
  }

  private direction(name: string, dir: unknown): 'ASC' | 'DESC' {
    if (dir === 'asc' || dir === 'ASC') return 'ASC';
    if (dir === 'desc' || dir === 'DESC') return 'DESC';
    const d = String(dir).toUpperCase();
    if (d !== 'ASC' && d !== 'DESC') throw OrmErrors.BAD_ORDER(`${name} ${dir}`, this.model.name);
    return d;
  }

  /** Replaces the order (`order` adds to it). */
  reorder(field?: string | Record<string, string>, direction = 'asc'): this {
    const cleared = this.with({ orders: [] });
    return field === undefined ? cleared : cleared.order(field, direction);
  }

  limit(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw OrmErrors.BAD_LIMIT('limit', n);
    const next = copyState(this.state);
    next.limit = n;
    return this.derive(next);
  }

  offset(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw OrmErrors.BAD_LIMIT('offset', n);
    return this.with({ offset: n });
  }

  /** Only these fields are read: the records have the others undefined. */
  select(...fields: string[]): this {
    return this.with({ select: fields.map((f) => colRef(this.meta, f, 'select')).map((c) => {
      if (c.path) throw OrmErrors.UNKNOWN_COLUMN(this.model.name, `${c.path}.${c.field.property}`, 'select() takes this model\'s fields; use pluck() for joined columns');
      return c.field;
    }) });
  }

  /** SELECT DISTINCT. */
  distinct(on = true): this {
    return this.with({ distinct: on });
  }

  private addJoins(specs: IncludeSpec[], left: boolean): this {
    const tree = includeTree(this.meta, specs);
    const joins = [...this.state.joins];
    const walk = (t: IncludeTree, prefix: string) => {
      for (const [name, sub] of Object.entries(t)) {
        const path = prefix ? `${prefix}.${name}` : name;
        if (!joins.some((j) => j.path === path)) joins.push({ path, left });
        walk(sub, path);
      }
    };
    walk(tree, '');
    return this.with({ joins });
  }

  /** INNER JOINs by association name, nested as includes are: `joins('author', { comments: 'user' })`. */
  joins(...associations: IncludeSpec[]): this {
    return this.addJoins(associations, false);
  }

  /** LEFT OUTER JOINs by association name. */
  leftJoins(...associations: IncludeSpec[]): this {
    return this.addJoins(associations, true);
  }

  /** GROUP BY: calculations then give one result per group (`Post.group('authorId').count()`). */
  group(...fields: string[]): GroupedRelation<T> & this {
    return this.with({ group: [...(this.state.group ?? []), ...fields.map((f) => colRef(this.meta, f, 'group'))] }) as GroupedRelation<T> & this;
  }

  /** HAVING, a SQL fragment with `?` binds: `group('authorId').having('COUNT(*) > ?', 2)`. */
  having(sql: string, ...binds: unknown[]): this {
    return this.with({ having: [...this.state.having, ...conditionNodes(this.meta, sql, binds, 'having')] });
  }

  /** Loads the named associations with one query each, after the main query; nested as `{ comments: 'author' }`. */
  includes(...associations: IncludeSpec[]): this {
    return this.with({ includes: includeTree(this.meta, associations, structuredCloneTree(this.state.includes)) });
  }

  /** The same as `includes`: separate queries, matched by key. */
  preload(...associations: IncludeSpec[]): this {
    return this.includes(...associations);
  }

  /** SELECT ... FOR UPDATE (PostgreSQL, MariaDB/MySQL), inside a transaction. SQLite locks the database for a write transaction. */
  lock(on = true): this {
    return this.with({ lock: on });
  }

  /** A relation that matches nothing and runs no query. */
  none(): this {
    return this.with({ none: true });
  }

  /** A relation over every row of the model, without this one's conditions, order or default scope (soft delete). */
  unscoped(): this {
    return this.with({ ...EMPTY, deleted: 'with' });
  }

  /** Includes soft-deleted rows. */
  withDeleted(): this {
    return this.with({ deleted: 'with' });
  }

  /** Only soft-deleted rows. */
  onlyDeleted(): this {
    return this.with({ deleted: 'only' });
  }

  /** Records from this query refuse lazy loads (STRYKE_E_ORM_STRICT_LOADING): everything they need must be included. */
  strictLoading(on = true): this {
    return this.with({ strict: on });
  }

  all(): this {
    return this;
  }

  /** The SELECT this relation runs, and its binds. Compiled once per query shape and cached. */
  toSQL(): { sql: string; binds: unknown[] } {
    return statement(this.meta, this.state, null);
  }

  // ---- running ----

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
    const rel = this.state.orders.length ? this : this.order(this.meta.pk.property, 'asc');
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

  async findBy(conditions: Record<string, unknown>): Promise<T | null> {
    return this.where(conditions).take();
  }

  /** Like findBy, but STRYKE_E_ORM_RECORD_NOT_FOUND (404) when there is none. */
  async findByOrFail(conditions: Record<string, unknown>): Promise<T> {
    const found = await this.findBy(conditions);
    if (!found) throw OrmErrors.RECORD_NOT_FOUND(this.model.name, JSON.stringify(conditions));
    return found;
  }

  /** The record with this primary key; a 404-answering STRYKE_E_ORM_RECORD_NOT_FOUND when there is none. */
  async find(id: unknown): Promise<T> {
    const meta = this.meta;
    const key = checkId(this.model.name, meta, id);
    const found = await this.where({ [meta.pk.property]: key }).limit(1).toArray();
    if (!found[0]) throw OrmErrors.RECORD_NOT_FOUND(this.model.name, `${meta.pk.property}=${String(id)}`);
    return found[0];
  }

  /** The first record matching `attrs`, or a new one created from them (and `extra`), in one transaction. */
  async findOrCreateBy(attrs: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<T> {
    return this.meta.db.transaction(async () => (await this.findBy(attrs)) ?? this.create({ ...attrs, ...extra }), { join: true });
  }

  /** The first record matching `attrs`, or a new (unsaved) one built from them. */
  async findOrInitializeBy(attrs: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<T> {
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
  build(attrs: Record<string, unknown> = {}): T {
    return new this.model({ ...this.scopeAttributes(), ...attrs });
  }

  /** Builds and saves (STRYKE_E_ORM_RECORD_INVALID when invalid). */
  async create(attrs: Record<string, unknown> = {}): Promise<T> {
    const record = this.build(attrs) as any;
    await record.saveOrFail();
    return record;
  }
  /** The number of matching rows (within limit and offset when given); `count('field')` counts non-null values. Grouped: per group. */
  count(field?: string): Promise<number> {
    return count(this.meta, this.state, field) as Promise<number>;
  }

  /** The sum of a numeric field (0 when no rows); a decimal field's as a string. */
  sum(field: string): Promise<number> {
    return sum(this.meta, this.state, field);
  }

  /** The mean of a numeric field, or null when no rows. */
  average(field: string): Promise<number | null> {
    return average(this.meta, this.state, field);
  }

  /** The smallest value of a field (null when no rows), read as the field's type. */
  minimum(field: string): Promise<any> {
    return minimum(this.meta, this.state, field);
  }

  /** The largest value of a field (null when no rows), read as the field's type. */
  maximum(field: string): Promise<any> {
    return maximum(this.meta, this.state, field);
  }

  /** The values of one field (an array), or of several (an array of arrays), without building records. */
  pluck(...fields: string[]): Promise<any[]> {
    return pluck(this.meta, this.state, fields);
  }

  /** The primary keys of the matching rows. */
  ids(): Promise<any[]> {
    return this.pluck(this.meta.pk.property);
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
  updateAll(attrs: Record<string, unknown> | string, ...binds: unknown[]): Promise<number> {
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

  [scope: string]: any;
}

function structuredCloneTree(t: IncludeTree | undefined): IncludeTree {
  if (!t) return {};
  const out: IncludeTree = {};
  for (const [k, v] of Object.entries(t)) out[k] = structuredCloneTree(v);
  return out;
}

