import { includeTree, type IncludeSpec, type IncludeTree } from './associations';
import type { Grouped } from './calculations';
import { statement } from './compile';
import { colRef, conditionNodes } from './conditions';
import { OrmErrors } from './errors';
import { metaOf, type ModelMeta } from './meta';
import type { ColumnName, Conditions, Direction, FieldName, Includes } from './model-types';
import { copyState, EMPTY, type Node, type State } from './query-state';

/** An order: one column and a direction, or several as `{ createdAt: 'desc', id: 'asc' }`. */
export type OrderBy<T> = ColumnName<T> | { [K in ColumnName<T>]?: Direction };

/** The calculations of a relation after `group(...)`: one result per group. */
export interface GroupedRelation<T> extends PromiseLike<T[]> {
  where(conditions: Conditions<T> | string, ...binds: unknown[]): GroupedRelation<T>;
  having(sql: string, ...binds: unknown[]): GroupedRelation<T>;
  order(field: OrderBy<T>, direction?: Direction): GroupedRelation<T>;
  joins(...associations: Includes<T>[]): GroupedRelation<T>;
  leftJoins(...associations: Includes<T>[]): GroupedRelation<T>;
  limit(n: number): GroupedRelation<T>;
  count(field?: ColumnName<T>): Promise<Grouped<number>>;
  sum(field: ColumnName<T>): Promise<Grouped<number | string>>;
  average(field: ColumnName<T>): Promise<Grouped<number | null>>;
  minimum(field: ColumnName<T>): Promise<Grouped<unknown>>;
  maximum(field: ColumnName<T>): Promise<Grouped<unknown>>;
  pluck(...fields: ColumnName<T>[]): Promise<unknown[]>;
  toSQL(): { sql: string; binds: unknown[] };
}

/**
 * The building half of a relation (`Relation` adds running it): every method returns a new relation over
 * a copy of the state, with the names it was given checked against the model (by the compiler through
 * the types, and at run time against the model's declaration).
 */
export class RelationQuery<T = any> {
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
  protected derive(state: State): this {
    const Ctor = this.constructor as new (m: any, s: State, meta: ModelMeta | undefined) => this;
    return new Ctor(this.model, state, this.cachedMeta);
  }

  protected with(patch: Partial<State>): this {
    return this.derive(Object.assign(copyState(this.state), patch));
  }

  /**
   * Hash conditions (`{ published: true, authorId: anyOf([1, 2]), deletedAt: null, views: gte(10) }`), on a
   * joined association too (`{ comments: { body: 'x' } }`), or a SQL fragment with `?` placeholders
   * (`where('views > ?', 100)`).
   */
  where(conditions: Conditions<T> | string, ...binds: unknown[]): this {
    const next = copyState(this.state);
    next.where = this.state.where.concat(conditionNodes(this.meta, conditions as Record<string, unknown> | string, binds, 'where'));
    return this.derive(next);
  }

  /** The negation of `where`: `whereNot({ published: true })`, `whereNot({ rating: null })` (IS NOT NULL). */
  whereNot(conditions: Conditions<T> | string, ...binds: unknown[]): this {
    const nodes = conditionNodes(this.meta, conditions as Record<string, unknown> | string, binds, 'whereNot');
    if (!nodes.length) return this;
    return this.with({ where: [...this.state.where, { k: 'not', item: nodes.length === 1 ? nodes[0]! : { k: 'and', items: nodes } }] });
  }

  /** Rows matching this relation's conditions or the other's: `Post.where({ a }).or(Post.where({ b }))`. */
  or(other: RelationQuery<T> | Conditions<T> | string, ...binds: unknown[]): this {
    const theirs = other instanceof RelationQuery ? other.state.where : conditionNodes(this.meta, other as Record<string, unknown> | string, binds, 'or');
    const group = (nodes: Node[]): Node => (nodes.length === 1 ? nodes[0]! : { k: 'and', items: nodes });
    if (!this.state.where.length || !theirs.length) return this.with({ where: [] });
    return this.with({ where: [{ k: 'or', items: [group(this.state.where), group(theirs)] }] });
  }

  /** `order('createdAt', 'desc')`, `order({ createdAt: 'desc', id: 'asc' })`, or a joined column (`'author.name'`). */
  order(field: OrderBy<T>, direction: Direction = 'asc'): this {
    const next = copyState(this.state);
    const orders = (next.orders = this.state.orders.slice());
    // Only declared fields (and association paths) resolve: raw SQL never reaches ORDER BY.
    if (typeof field === 'string') orders.push([colRef(this.meta, field, 'order'), this.direction(field, direction)]);
    else for (const [name, dir] of Object.entries(field as Record<string, unknown>)) orders.push([colRef(this.meta, name, 'order'), this.direction(name, dir)]);
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
  reorder(field?: OrderBy<T>, direction: Direction = 'asc'): this {
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
  select(...fields: FieldName<T>[]): this {
    return this.with({ select: (fields as string[]).map((f) => colRef(this.meta, f, 'select')).map((c) => {
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
  joins(...associations: Includes<T>[]): this {
    return this.addJoins(associations as IncludeSpec[], false);
  }

  /** LEFT OUTER JOINs by association name. */
  leftJoins(...associations: Includes<T>[]): this {
    return this.addJoins(associations as IncludeSpec[], true);
  }

  /** GROUP BY: calculations then give one result per group (`Post.group('authorId').count()`). */
  group(...fields: ColumnName<T>[]): GroupedRelation<T> & this {
    return this.with({ group: [...(this.state.group ?? []), ...(fields as string[]).map((f) => colRef(this.meta, f, 'group'))] }) as GroupedRelation<T> & this;
  }

  /** HAVING, a SQL fragment with `?` binds: `group('authorId').having('COUNT(*) > ?', 2)`. */
  having(sql: string, ...binds: unknown[]): this {
    return this.with({ having: [...this.state.having, ...conditionNodes(this.meta, sql, binds, 'having')] });
  }

  /** Loads the named associations with one query each, after the main query; nested as `{ comments: 'author' }`. */
  includes(...associations: Includes<T>[]): this {
    return this.with({ includes: includeTree(this.meta, associations as IncludeSpec[], structuredCloneTree(this.state.includes)) });
  }

  /** The same as `includes`: separate queries, matched by key. */
  preload(...associations: Includes<T>[]): this {
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
}

function structuredCloneTree(t: IncludeTree | undefined): IncludeTree {
  if (!t) return {};
  const out: IncludeTree = {};
  for (const [k, v] of Object.entries(t)) out[k] = structuredCloneTree(v);
  return out;
}
