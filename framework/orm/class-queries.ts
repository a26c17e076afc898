import type { GroupedRelation, OrderBy, Page, Relation } from './relation';
import { includeTree, preloadTree, type IncludeSpec } from './associations';
import { upsertAll, type UpsertOptions } from './bulk';
import { checkId } from './conditions';
import { OrmErrors } from './errors';
import { metaOf } from './meta';
import type { ActiveRecord } from './model';
import type { Attributes, ColumnName, Conditions, Direction, FieldName, Includes, ModelClass, RelationOf, ValueAt } from './model-types';

/** The relation the static methods start from, untyped: their signatures carry the model's types. */
function start(model: ModelClass): Relation<any> {
  const meta = metaOf(model);
  return new meta.relationClass(model, undefined, meta);
}

/** The record type of a model class. */
type R<M> = M extends abstract new (...args: any) => infer T ? T : never;

/**
 * The class side of a model (`ActiveRecord` extends it): each query method starts a relation
 * (`Post.where(...)`, `Post.find(id)`), plus create, transaction and hydrate.
 */
export class ModelQueries {
  // ---- the static side: queries ----

  /** A relation over every row; the start of any chain. */
  static all<M extends ModelClass>(this: M): RelationOf<M> {
    const meta = metaOf(this);
    return new meta.relationClass(this, undefined, meta);
  }

  static where<M extends ModelClass>(this: M, conditions: Conditions<R<M>> | string, ...binds: unknown[]): RelationOf<M> {
    return start(this).where(conditions, ...binds) as any;
  }

  static whereNot<M extends ModelClass>(this: M, conditions: Conditions<R<M>> | string, ...binds: unknown[]): RelationOf<M> {
    return start(this).whereNot(conditions, ...binds) as any;
  }

  static order<M extends ModelClass>(this: M, field: OrderBy<R<M>>, direction?: Direction): RelationOf<M> {
    return start(this).order(field, direction) as any;
  }

  static limit<M extends ModelClass>(this: M, n: number): RelationOf<M> {
    return start(this).limit(n) as any;
  }

  static offset<M extends ModelClass>(this: M, n: number): RelationOf<M> {
    return start(this).offset(n) as any;
  }

  static select<M extends ModelClass>(this: M, ...fields: FieldName<R<M>>[]): RelationOf<M> {
    return start(this).select(...fields) as any;
  }

  static distinct<M extends ModelClass>(this: M): RelationOf<M> {
    return start(this).distinct() as any;
  }

  static joins<M extends ModelClass>(this: M, ...associations: Includes<R<M>>[]): RelationOf<M> {
    return start(this).joins(...(associations as IncludeSpec[])) as any;
  }

  static leftJoins<M extends ModelClass>(this: M, ...associations: Includes<R<M>>[]): RelationOf<M> {
    return start(this).leftJoins(...(associations as IncludeSpec[])) as any;
  }

  static group<M extends ModelClass>(this: M, ...fields: ColumnName<R<M>>[]): GroupedRelation<R<M>> & RelationOf<M> {
    return start(this).group(...fields) as any;
  }

  static includes<M extends ModelClass>(this: M, ...associations: Includes<R<M>>[]): RelationOf<M> {
    return start(this).includes(...(associations as IncludeSpec[])) as any;
  }

  /**
   * `Post.preload('author')` is `includes`; `Post.preload(records, 'author')` loads an association onto
   * records already read (one query).
   */
  static preload<M extends ModelClass>(this: M, ...associations: Includes<R<M>>[]): RelationOf<M>;
  static preload(records: ActiveRecord[], association: string): Promise<void>;
  static preload(this: any, first: any, ...rest: any[]): any {
    if (Array.isArray(first) && first.every((r) => r instanceof ModelQueries)) {
      const tree = includeTree(metaOf(this), rest);
      return preloadTree(this, first, tree, [], undefined);
    }
    return this.all().includes(first, ...rest);
  }

  static lock<M extends ModelClass>(this: M): RelationOf<M> {
    return start(this).lock() as any;
  }

  static none<M extends ModelClass>(this: M): RelationOf<M> {
    return start(this).none() as any;
  }

  /** Every row, without default scopes (soft-deleted rows included). */
  static unscoped<M extends ModelClass>(this: M): RelationOf<M> {
    return start(this).unscoped() as any;
  }

  static withDeleted<M extends ModelClass>(this: M): RelationOf<M> {
    return start(this).withDeleted() as any;
  }

  static onlyDeleted<M extends ModelClass>(this: M): RelationOf<M> {
    return start(this).onlyDeleted() as any;
  }

  static strictLoading<M extends ModelClass>(this: M, on = true): RelationOf<M> {
    return start(this).strictLoading(on) as any;
  }

  /** The record with this primary key; STRYKE_E_ORM_RECORD_NOT_FOUND (404) when there is none. */
  static async find<M extends ModelClass>(this: M, id: unknown): Promise<R<M>> {
    const meta = metaOf(this);
    if (meta.softDelete) return start(this).find(id);
    const key = checkId(this.name, meta, id);
    const out = meta.db.execute(meta.findSql, [meta.db.dialect.toDb(key, meta.pk)], true);
    const { rows, columns } = out instanceof Promise ? await out : out;
    if (!rows.length) throw OrmErrors.RECORD_NOT_FOUND(this.name, `${meta.pk.property}=${String(id)}`);
    return columns ? meta.arrayHydrator(columns)(rows[0] as unknown[]) : meta.hydrate(rows[0]!);
  }

  static findBy<M extends ModelClass>(this: M, conditions: Conditions<R<M>>): Promise<R<M> | null> {
    return start(this).findBy(conditions) as any;
  }

  static findByOrFail<M extends ModelClass>(this: M, conditions: Conditions<R<M>>): Promise<R<M>> {
    return start(this).findByOrFail(conditions) as any;
  }

  static findOrCreateBy<M extends ModelClass>(this: M, attrs: Conditions<R<M>> & Attributes<R<M>>, extra?: Attributes<R<M>>): Promise<R<M>> {
    return start(this).findOrCreateBy(attrs, extra) as any;
  }

  static findOrInitializeBy<M extends ModelClass>(this: M, attrs: Conditions<R<M>> & Attributes<R<M>>, extra?: Attributes<R<M>>): Promise<R<M>> {
    return start(this).findOrInitializeBy(attrs, extra) as any;
  }

  static first<M extends ModelClass>(this: M): Promise<R<M> | null>;
  static first<M extends ModelClass>(this: M, n: number): Promise<R<M>[]>;
  static first(this: any, n?: number): any {
    return n === undefined ? this.all().first() : this.all().first(n);
  }

  static last<M extends ModelClass>(this: M): Promise<R<M> | null>;
  static last<M extends ModelClass>(this: M, n: number): Promise<R<M>[]>;
  static last(this: any, n?: number): any {
    return n === undefined ? this.all().last() : this.all().last(n);
  }

  static take<M extends ModelClass>(this: M): Promise<R<M> | null>;
  static take<M extends ModelClass>(this: M, n: number): Promise<R<M>[]>;
  static take(this: any, n?: number): any {
    return n === undefined ? this.all().take() : this.all().take(n);
  }

  static count<M extends ModelClass>(this: M, field?: ColumnName<R<M>>): Promise<number> {
    return start(this).count(field);
  }

  static sum<M extends ModelClass>(this: M, field: ColumnName<R<M>>): Promise<number> {
    return start(this).sum(field);
  }

  static average<M extends ModelClass>(this: M, field: ColumnName<R<M>>): Promise<number | null> {
    return start(this).average(field);
  }

  static minimum<M extends ModelClass, C extends ColumnName<R<M>>>(this: M, field: C): Promise<ValueAt<R<M>, C> | null> {
    return start(this).minimum(field) as any;
  }

  static maximum<M extends ModelClass, C extends ColumnName<R<M>>>(this: M, field: C): Promise<ValueAt<R<M>, C> | null> {
    return start(this).maximum(field) as any;
  }

  static pluck<M extends ModelClass, C extends ColumnName<R<M>>>(this: M, field: C): Promise<ValueAt<R<M>, C>[]>;
  static pluck<M extends ModelClass>(this: M, ...fields: ColumnName<R<M>>[]): Promise<unknown[][]>;
  static pluck(this: ModelClass, ...fields: string[]): Promise<unknown[]> {
    return start(this).pluck(...fields) as any;
  }

  static ids<M extends ModelClass>(this: M): Promise<(R<M> extends { id: infer I } ? I : unknown)[]> {
    return start(this).ids() as any;
  }

  static exists<M extends ModelClass>(this: M): Promise<boolean> {
    return start(this).exists();
  }

  static paginate<M extends ModelClass>(this: M, options?: { page?: unknown; perPage?: number }): Promise<Page<R<M>>> {
    return start(this).paginate(options) as any;
  }

  static findEach<M extends ModelClass>(this: M, options?: { batchSize?: number }): AsyncGenerator<R<M>, void, undefined>;
  static findEach<M extends ModelClass>(this: M, fn: (record: R<M>) => unknown, options?: { batchSize?: number }): Promise<void>;
  static findEach(this: any, a?: any, b?: any): any {
    return this.all().findEach(a, b);
  }

  static findInBatches<M extends ModelClass>(this: M, options?: { batchSize?: number }): AsyncGenerator<R<M>[], void, undefined> {
    return start(this).findInBatches(options) as any;
  }

  static inBatches<M extends ModelClass>(this: M, fn: (batch: RelationOf<M>) => unknown, options?: { batchSize?: number }): Promise<void> {
    return start(this).inBatches(fn as (batch: Relation<any>) => unknown, options) as any;
  }

  /** Updates every row in one statement (no validations or callbacks); the number updated. */
  static updateAll<M extends ModelClass>(this: M, attrs: Attributes<R<M>> | string, ...binds: unknown[]): Promise<number> {
    return start(this).updateAll(attrs, ...binds);
  }

  /**
   * Inserts many rows in one statement, each row whose key (`uniqueBy`, the primary key by default) already
   * exists updating that row instead: Rails' `upsert_all`, and the way to save many changed records in one
   * statement. No validations or callbacks; timestamps filled in. Every row has the same fields. The number
   * of rows written (rows naming the same key twice count once: the last wins).
   * @example await World.upsertAll(worlds.map((w) => ({ id: w.id, randomNumber: w.randomNumber })));
   */
  static upsertAll<M extends ModelClass>(this: M, rows: readonly Attributes<R<M>>[], options: UpsertOptions = {}): Promise<number> {
    return upsertAll(metaOf(this), rows as readonly Record<string, unknown>[], options);
  }

  /** Deletes every row in one statement (no callbacks); the number deleted. */
  static deleteAll<M extends ModelClass>(this: M): Promise<number> {
    return start(this).deleteAll();
  }

  static destroyAll<M extends ModelClass>(this: M): Promise<R<M>[]> {
    return start(this).destroyAll() as any;
  }

  /** Builds, validates and inserts; throws STRYKE_E_ORM_RECORD_INVALID (422) when invalid. */
  static async create<M extends ModelClass>(this: M, attrs: Attributes<R<M>> = {}): Promise<R<M>> {
    const record = new this(attrs);
    await record.saveOrFail();
    return record;
  }

  /**
   * Runs `fn` in a transaction: every model statement inside it (however deep) uses the transaction's
   * connection. Committed when fn returns, rolled back when it throws; nested, a savepoint.
   */
  static transaction<V>(this: ModelClass, fn: () => Promise<V> | V): Promise<V> {
    return metaOf(this).db.transaction(() => fn());
  }

  /** Builds a record from a database row, without running the constructor. */
  static hydrate<M extends ModelClass>(this: M, row: Record<string, unknown>): R<M> {
    return metaOf(this).hydrate(row);
  }
}
