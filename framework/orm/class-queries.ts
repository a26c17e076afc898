import type { GroupedRelation, Page, Relation } from './relation';
import { includeTree, preloadTree, type IncludeSpec } from './associations';
import { checkId } from './conditions';
import { OrmErrors } from './errors';
import { metaOf } from './meta';
import type { ActiveRecord } from './model';

type Attrs = Record<string, unknown>;
type ModelClass<T> = { new (attrs?: Attrs): T } & typeof ActiveRecord;

/**
 * The class side of a model (`ActiveRecord` extends it): each query method starts a relation
 * (`Post.where(...)`, `Post.find(id)`), plus create, transaction and hydrate.
 */
export class ModelQueries {
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
    if (Array.isArray(first) && first.every((r) => r instanceof ModelQueries)) {
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
