import type { AssociationDecl, FieldDecl } from '../registry';
import { associationOf, includeTree, preloadTree, throughOf, foreignKeyOf, type IncludeSpec, type IncludeTree } from './associations';
import { castValue } from './cast';
import { OrmErrors } from './errors';
import { markBatch } from './loading';
import { metaOf, META, type ModelMeta } from './meta';

/** A condition, kept as a tree until compiled: values stay out of the SQL, bound in order. */
type Node =
  | { k: 'eq'; path?: string; field: FieldDecl; value: unknown }
  | { k: 'in'; path?: string; field: FieldDecl; values: unknown[] }
  | { k: 'null'; path?: string; field: FieldDecl }
  | { k: 'cmp'; path?: string; field: FieldDecl; op: '>' | '>=' | '<' | '<='; value: unknown }
  | { k: 'raw'; sql: string; binds: unknown[] }
  | { k: 'and' | 'or'; items: Node[] }
  | { k: 'not'; item: Node }
  | { k: 'false' };

/** A column of the query's model (path undefined) or of a joined association (`comments`, `comments.user`). */
interface ColRef {
  path?: string;
  field: FieldDecl;
}

interface JoinSpec {
  path: string;
  left: boolean;
}

interface State {
  where: Node[];
  orders: [ColRef, 'ASC' | 'DESC'][];
  limit?: number;
  offset?: number;
  includes?: IncludeTree;
  joins: JoinSpec[];
  select?: FieldDecl[];
  distinct?: boolean;
  group?: ColRef[];
  having: Node[];
  lock?: boolean;
  none?: boolean;
  /** Soft-deleted rows: left out (default), included ('with'), or the only ones ('only'). */
  deleted?: 'with' | 'only';
  strict?: boolean;
}

const SQL_CACHE_LIMIT = 500;
/** Resolved field names per model (`title`, `author.name`), so a chain never resolves one twice. */
const colRefs = new WeakMap<ModelMeta, Map<string, ColRef>>();
// Every key present from the start, so each relation's state has one shape (spreads keep it).
const EMPTY: State = {
  where: [], orders: [], limit: undefined, offset: undefined, includes: undefined, joins: [], select: undefined,
  distinct: undefined, group: undefined, having: [], lock: undefined, none: undefined, deleted: undefined, strict: undefined,
};
/** A copy of a state, every key written out so that all states share one hidden class. */
function copyState(s: State): State {
  return {
    where: s.where, orders: s.orders, limit: s.limit, offset: s.offset, includes: s.includes, joins: s.joins, select: s.select,
    distinct: s.distinct, group: s.group, having: s.having, lock: s.lock, none: s.none, deleted: s.deleted, strict: s.strict,
  };
}
const RANGE_KEYS = new Set(['gt', 'gte', 'lt', 'lte']);
const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** Range bounds for `where`: `range(18, 30)` is 18..30 inclusive; `{ exclusive: true }` leaves out the end. */
export function range<V>(from: V | null | undefined, to: V | null | undefined, options: { exclusive?: boolean } = {}): { gte?: V; lte?: V; lt?: V } {
  const out: { gte?: V; lte?: V; lt?: V } = {};
  if (from !== null && from !== undefined) out.gte = from;
  if (to !== null && to !== undefined) out[options.exclusive ? 'lt' : 'lte'] = to;
  return out;
}

/** One page of records, with the totals a pager needs. */
export interface Page<T> {
  records: T[];
  page: number;
  perPage: number;
  total: number;
  pageCount: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** What a grouped relation's calculations return: one value per group (an array key for several columns). */
export type Grouped<V> = Map<unknown, V>;

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

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
const isRecord = (v: unknown): v is Record<string, any> =>
  !!v && typeof v === 'object' && typeof (v as any).constructor === 'function' && Object.prototype.hasOwnProperty.call((v as any).constructor, META);

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

  /** The model and association path a dotted name (`comments.user`) leads to. */
  private pathMeta(path: string, label: string): { meta: ModelMeta; association: AssociationDecl } {
    let meta = this.meta;
    let a: AssociationDecl | undefined;
    for (const name of path.split('.')) {
      a = meta.associations.get(name);
      if (!a) throw OrmErrors.UNKNOWN_ASSOCIATION(meta.model.name, name, `${[...meta.associations.keys()].join(', ') || 'none'}; in ${label}`);
      meta = metaOf(a.target());
    }
    return { meta, association: a! };
  }

  /** `title` or `comments.body`: a column of this model or of a joined association. */
  private colRef(name: string, method: string): ColRef {
    const cache = colRefs.get(this.meta);
    const hit = cache?.get(name);
    if (hit) return hit;
    const ref = this.resolveColRef(name, method);
    if (cache) cache.set(name, ref);
    else colRefs.set(this.meta, new Map([[name, ref]]));
    return ref;
  }

  private resolveColRef(name: string, method: string): ColRef {
    const dot = name.lastIndexOf('.');
    if (dot < 0) {
      const field = this.meta.byProperty.get(name);
      if (!field) throw method === 'order' ? OrmErrors.BAD_ORDER(name, this.model.name) : OrmErrors.UNKNOWN_COLUMN(this.model.name, name, [...this.meta.byProperty.keys()].join(', '));
      return { field };
    }
    const path = name.slice(0, dot);
    const prop = name.slice(dot + 1);
    const { meta } = this.pathMeta(path, `${method}('${name}')`);
    const field = meta.byProperty.get(prop);
    if (!field) throw method === 'order' ? OrmErrors.BAD_ORDER(name, this.model.name) : OrmErrors.UNKNOWN_COLUMN(meta.model.name, prop, [...meta.byProperty.keys()].join(', '));
    return { path, field };
  }

  /** Hash conditions to nodes, for this model (path undefined) or a joined association. */
  private hashNodes(conditions: Record<string, unknown>, meta: ModelMeta, path: string | undefined, method: string): Node[] {
    const added: Node[] = [];
    const modelName = this.model.name;
    for (const property of Object.keys(conditions)) {
      const value = conditions[property];
      const field = meta.byProperty.get(property);
      if (!field) {
        const a = meta.associations.get(property);
        if (a && isPlainObject(value) && !isRecord(value)) {
          const sub = path ? `${path}.${property}` : property;
          added.push(...this.hashNodes(value, metaOf(a.target()), sub, method));
          continue;
        }
        if (a && a.kind === 'belongsTo' && !a.through && (value === null || isRecord(value) || (Array.isArray(value) && value.every(isRecord)))) {
          const fk = meta.byProperty.get(foreignKeyOf(meta.model, a));
          const tpk = metaOf(a.target()).pk.property;
          if (fk) {
            const v = value === null ? null : Array.isArray(value) ? value.map((r) => r[tpk]) : (value as any)[tpk];
            added.push(...this.hashNodes({ [fk.property]: v }, meta, path, method));
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

  private conditionNodes(conditions: Record<string, unknown> | string, binds: unknown[], method: string): Node[] {
    if (typeof conditions === 'string') {
      const wanted = conditions.split('?').length - 1;
      if (wanted !== binds.length) throw OrmErrors.BIND_COUNT(this.model.name, JSON.stringify(conditions), wanted, binds.length);
      binds.forEach((b, i) => {
        if (b === undefined || (Array.isArray(b) && b.includes(undefined))) {
          throw OrmErrors.UNDEFINED_CONDITION(this.model.name, method, JSON.stringify(conditions), `?#${i + 1}`);
        }
      });
      return [{ k: 'raw', sql: conditions, binds }];
    }
    return this.hashNodes(conditions, this.meta, undefined, method);
  }

  /**
   * Hash conditions (`{ published: true, authorId: [1, 2], deletedAt: null, views: { gte: 10 } }`), on a
   * joined association too (`{ comments: { body: 'x' } }`), or a SQL fragment with `?` placeholders
   * (`where('views > ?', 100)`).
   */
  where(conditions: Record<string, unknown> | string, ...binds: unknown[]): this {
    const next = copyState(this.state);
    next.where = this.state.where.concat(this.conditionNodes(conditions, binds, 'where'));
    return this.derive(next);
  }

  /** The negation of `where`: `whereNot({ published: true })`, `whereNot({ rating: null })` (IS NOT NULL). */
  whereNot(conditions: Record<string, unknown> | string, ...binds: unknown[]): this {
    const nodes = this.conditionNodes(conditions, binds, 'whereNot');
    if (!nodes.length) return this;
    return this.with({ where: [...this.state.where, { k: 'not', item: nodes.length === 1 ? nodes[0]! : { k: 'and', items: nodes } }] });
  }

  /** Rows matching this relation's conditions or the other's: `Post.where({ a }).or(Post.where({ b }))`. */
  or(other: Relation<any> | Record<string, unknown> | string, ...binds: unknown[]): this {
    const theirs = other instanceof Relation ? other.state.where : this.conditionNodes(other, binds, 'or');
    const group = (nodes: Node[]): Node => (nodes.length === 1 ? nodes[0]! : { k: 'and', items: nodes });
    if (!this.state.where.length || !theirs.length) return this.with({ where: [] });
    return this.with({ where: [{ k: 'or', items: [group(this.state.where), group(theirs)] }] });
  }

  /** `order('createdAt', 'desc')`, `order({ createdAt: 'desc', id: 'asc' })`, or a joined column (`'author.name'`). */
  order(field: string | Record<string, string>, direction = 'asc'): this {
    const next = copyState(this.state);
    const orders = (next.orders = this.state.orders.slice());
    // Only declared fields (and association paths) resolve: raw SQL never reaches ORDER BY.
    if (typeof field === 'string') orders.push([this.colRef(field, 'order'), this.direction(field, direction)]);
    else for (const name of Object.keys(field)) orders.push([this.colRef(name, 'order'), this.direction(name, field[name])]);
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
    return this.with({ select: fields.map((f) => this.colRef(f, 'select')).map((c) => {
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
    return this.with({ group: [...(this.state.group ?? []), ...fields.map((f) => this.colRef(f, 'group'))] }) as GroupedRelation<T> & this;
  }

  /** HAVING, a SQL fragment with `?` binds: `group('authorId').having('COUNT(*) > ?', 2)`. */
  having(sql: string, ...binds: unknown[]): this {
    return this.with({ having: [...this.state.having, ...this.conditionNodes(sql, binds, 'having')] });
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

  // ---- compiling ----

  private conditions(): Node[] {
    const sd = this.meta.softDelete;
    const nodes = this.state.where;
    if (this.state.none) return [{ k: 'false' }];
    if (!sd || this.state.deleted === 'with') return nodes;
    const soft: Node = this.state.deleted === 'only' ? { k: 'not', item: { k: 'null', field: sd } } : { k: 'null', field: sd };
    return [soft, ...nodes];
  }

  /** A condition's part of the statement's cache key (memoized on the node: nodes never change). */
  private static shape(node: Node): string {
    const memo = (node as { s?: string }).s;
    if (memo !== undefined) return memo;
    let out: string;
    switch (node.k) {
      case 'eq': out = `e${node.path ?? ''}.${node.field.column}`; break;
      case 'cmp': out = `c${node.op}${node.path ?? ''}.${node.field.column}`; break;
      case 'in': {
        let n = 0;
        let z = false;
        for (const v of node.values) v === null ? (z = true) : n++;
        out = `i${node.path ?? ''}.${node.field.column}:${n}${z ? 'z' : ''}`;
        break;
      }
      case 'null': out = `z${node.path ?? ''}.${node.field.column}`; break;
      case 'raw': out = `r${node.binds.map((b) => (Array.isArray(b) ? b.length : '')).join(',')}:${node.sql}`; break;
      case 'and': case 'or': out = `${node.k}(${node.items.map((i) => Relation.shape(i)).join(';')})`; break;
      case 'not': out = `not(${Relation.shape(node.item)})`; break;
      case 'false': out = 'f'; break;
    }
    (node as { s?: string }).s = out;
    return out;
  }

  /** A condition's bound values, in placeholder order. */
  private static collect(node: Node, binds: unknown[], dialect: ModelMeta['db']['dialect']): void {
    switch (node.k) {
      case 'eq': case 'cmp':
        binds.push(dialect.toDb(node.value, node.field));
        return;
      case 'in':
        for (const v of node.values) if (v !== null) binds.push(dialect.toDb(v, node.field));
        return;
      case 'raw':
        for (const b of node.binds) {
          if (Array.isArray(b)) for (const v of b) binds.push(dialect.toDb(v, undefined));
          else binds.push(dialect.toDb(b, undefined));
        }
        return;
      case 'and': case 'or':
        for (const i of node.items) Relation.collect(i, binds, dialect);
        return;
      case 'not':
        Relation.collect(node.item, binds, dialect);
        return;
      default:
    }
  }

  /** The SQL of a condition, placeholders numbered through `c`. */
  private static emit(node: Node, c: Compiler): string {
    switch (node.k) {
      case 'eq':
        return `${c.col(node.path, node.field)} = ${c.ph()}`;
      case 'cmp':
        return `${c.col(node.path, node.field)} ${node.op} ${c.ph()}`;
      case 'in': {
        // As Rails: [] matches nothing, and a null in the list also matches NULL.
        const col = c.col(node.path, node.field);
        const list: string[] = [];
        let withNull = false;
        for (const v of node.values) {
          if (v === null) withNull = true;
          else list.push(c.ph());
        }
        const inList = list.length ? `${col} IN (${list.join(', ')})` : '';
        if (withNull) return inList ? `(${inList} OR ${col} IS NULL)` : `${col} IS NULL`;
        return inList || '1=0';
      }
      case 'null':
        return `${c.col(node.path, node.field)} IS NULL`;
      case 'raw': {
        // An array bind expands to a list: where('id IN (?)', [1, 2]) -> id IN (?, ?); [] -> NULL.
        let i = 0;
        const sql = node.sql.replace(/\?/g, () => {
          const b = node.binds[i++];
          if (!Array.isArray(b)) return c.ph();
          if (!b.length) return 'NULL';
          return b.map(() => c.ph()).join(', ');
        });
        return `(${sql})`;
      }
      case 'and':
      case 'or': {
        if (!node.items.length) return node.k === 'and' ? '1=1' : '1=0';
        const parts = node.items.map((i) => Relation.emit(i, c));
        return parts.length === 1 ? parts[0]! : `(${parts.join(node.k === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'not':
        if (node.item.k === 'null') return `${c.col(node.item.path, node.item.field)} IS NOT NULL`;
        return `NOT (${Relation.emit(node.item, c)})`;
      case 'false':
        return '1=0';
    }
  }

  /** Table aliases for the joins, and the JOIN clauses. */
  private joinClauses(): { sql: string; aliases: Map<string, { alias: string; meta: ModelMeta }> } {
    const meta = this.meta;
    const q = meta.db.dialect.quote;
    const aliases = new Map<string, { alias: string; meta: ModelMeta }>();
    const used = new Set([meta.table]);
    const aliasFor = (m: ModelMeta, name: string, parent: string) => {
      let alias = m.table;
      if (used.has(alias)) alias = `${name}_${parent}`;
      for (let i = 2; used.has(alias); i++) alias = `${name}_${parent}_${i}`;
      used.add(alias);
      return alias;
    };
    const table = (m: ModelMeta, alias: string) => (alias === m.table ? m.qtable : `${m.qtable} ${q(alias)}`);
    const parts: string[] = [];
    const link = (from: { alias: string; meta: ModelMeta }, a: AssociationDecl, name: string, left: boolean, fromModel: Function) => {
      const tm = metaOf(a.target());
      const alias = aliasFor(tm, name, from.alias);
      const fk = foreignKeyOf(fromModel, a);
      const on = a.kind === 'belongsTo'
        ? `${q(alias)}.${q(tm.pk.column)} = ${q(from.alias)}.${q(from.meta.byProperty.get(fk)?.column ?? fk)}`
        : `${q(alias)}.${q(tm.byProperty.get(fk)?.column ?? fk)} = ${q(from.alias)}.${q(from.meta.pk.column)}`;
      const soft = tm.softDelete ? ` AND ${q(alias)}.${q(tm.softDelete.column)} IS NULL` : '';
      parts.push(`${left ? 'LEFT OUTER' : 'INNER'} JOIN ${table(tm, alias)} ON ${on}${soft}`);
      return { alias, meta: tm };
    };
    for (const j of this.state.joins) {
      const dot = j.path.lastIndexOf('.');
      const parentPath = dot < 0 ? '' : j.path.slice(0, dot);
      const name = dot < 0 ? j.path : j.path.slice(dot + 1);
      const from = parentPath ? aliases.get(parentPath)! : { alias: meta.table, meta };
      const a = associationOf(from.meta, name);
      if (a.through) {
        const { through, throughModel, source } = throughOf(from.meta, a);
        const mid = link(from, through, `${name}_${through.property}`, j.left, from.meta.model);
        aliases.set(j.path, link(mid, source, name, j.left, throughModel));
      } else {
        aliases.set(j.path, link(from, a, name, j.left, from.meta.model));
      }
    }
    return { sql: parts.length ? ` ${parts.join(' ')}` : '', aliases };
  }

  private compiler(start: number, aliases: Map<string, { alias: string; meta: ModelMeta }> | undefined): Compiler {
    const meta = this.meta;
    const { dialect } = meta.db;
    const q = dialect.quote;
    let n = start;
    const qualify = !!this.state.joins.length;
    return {
      ph: () => dialect.placeholder(n++),
      col: (path, field) => {
        if (!path) return qualify ? `${meta.qtable}.${q(field.column)}` : q(field.column);
        const j = aliases?.get(path);
        if (!j) {
          const top = path.split('.')[0]!;
          throw OrmErrors.NOT_JOINED(this.model.name, `${path}.${field.property}`, path, top, top);
        }
        return `${q(j.alias)}.${q(field.column)}`;
      },
    };
  }

  /**
   * A SELECT over this relation: `head` is the select list (default: the records' columns). The statement
   * up to LIMIT is compiled once per shape and cached; LIMIT and OFFSET are appended.
   */
  private statement(head: string | null, opts: { orders?: boolean; page?: boolean; group?: boolean; lock?: boolean; groupHead?: boolean } = {}): { sql: string; binds: unknown[] } {
    const meta = this.meta;
    const { dialect } = meta.db;
    const s = this.state;
    const orders = opts.orders !== false ? s.orders : [];
    const binds: unknown[] = [];
    const where = this.conditions();
    let key = `${head ?? (s.select ? s.select.map((f) => f.column).join(',') : '*')}|${s.distinct ? 'd' : ''}|${s.joins.map((j) => (j.left ? 'L' : 'J') + j.path).join(',')}|`;
    for (const node of where) {
      key += Relation.shape(node);
      key += ';';
      Relation.collect(node, binds, dialect);
    }
    const grouped = opts.group !== false && s.group?.length;
    if (grouped) {
      key += `|g${s.group!.map((g) => `${g.path ?? ''}.${g.field.column}`).join(',')}${opts.groupHead ? 'h' : ''}|`;
      for (const node of s.having) {
        key += `${Relation.shape(node)};`;
        Relation.collect(node, binds, dialect);
      }
    }
    key += '|';
    for (const [c, d] of orders) key += `${c.path ?? ''}.${c.field.column} ${d},`;
    const lock = opts.lock !== false && s.lock && dialect.forUpdate;
    if (lock) key += '|lock';
    let sql = meta.sqlCache.get(key);
    if (sql === undefined) {
      const joins = s.joins.length ? this.joinClauses() : undefined;
      const c = this.compiler(1, joins?.aliases);
      const q = dialect.quote;
      let what = head;
      if (what === null) {
        if (s.select) what = s.select.map((f) => c.col(undefined, f)).join(', ');
        else what = joins ? `${meta.qtable}.*` : '*';
      }
      if (grouped && opts.groupHead) what = `${s.group!.map((g, i) => `${c.col(g.path, g.field)} AS ${q(`g${i}`)}`).join(', ')}, ${what}`;
      sql = `SELECT ${s.distinct ? 'DISTINCT ' : ''}${what} FROM ${meta.qtable}${joins?.sql ?? ''}`;
      if (where.length) sql += ` WHERE ${where.map((n) => Relation.emit(n, c)).join(' AND ')}`;
      if (grouped) {
        sql += ` GROUP BY ${s.group!.map((g) => c.col(g.path, g.field)).join(', ')}`;
        if (s.having.length) sql += ` HAVING ${s.having.map((n) => Relation.emit(n, c)).join(' AND ')}`;
      }
      if (orders.length) sql += ` ORDER BY ${orders.map(([col, d]) => `${c.col(col.path, col.field)} ${d}`).join(', ')}`;
      // Shapes are few in an app; a cap keeps raw fragments built by string concatenation from growing it forever.
      if (meta.sqlCache.size >= SQL_CACHE_LIMIT) meta.sqlCache.clear();
      meta.sqlCache.set(key, sql);
    }
    let out = sql;
    if (opts.page !== false) {
      if (s.limit !== undefined) out += ` LIMIT ${s.limit}`;
      if (s.offset !== undefined) out += `${s.limit === undefined ? dialect.noLimit : ''} OFFSET ${s.offset}`;
    }
    if (lock) out += dialect.forUpdate;
    return { sql: out, binds };
  }

  /** The SELECT this relation runs, and its binds. Compiled once per query shape and cached. */
  toSQL(): { sql: string; binds: unknown[] } {
    return this.statement(null);
  }

  // ---- running ----

  /** Runs the query: an array of model instances, with included associations loaded. */
  async toArray(): Promise<T[]> {
    if (this.state.none) return [];
    const meta = this.meta;
    const { sql, binds } = this.statement(null);
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
  async count(field?: string): Promise<number> {
    if (this.state.none) return this.state.group?.length ? (new Map() as any) : 0;
    const q = this.meta.db.dialect.quote;
    const col = field ? this.aggregateColumn(field) : undefined;
    // DISTINCT counts distinct values: of the field given, of the one field selected, or else of the key.
    let distinctCol: string | undefined;
    if (this.state.distinct) {
      const c = this.compiler(1, undefined);
      distinctCol = col ?? (this.state.select?.length === 1 ? c.col(undefined, this.state.select[0]!) : this.state.select ? undefined : c.col(undefined, this.meta.pk));
    }
    const expr = distinctCol ? `COUNT(DISTINCT ${distinctCol})` : col ? `COUNT(${col})` : 'COUNT(*)';
    if (this.state.group?.length) return this.grouped(expr, (v) => Number(v ?? 0)) as any;
    const limited = this.state.limit !== undefined || this.state.offset !== undefined;
    const bare = this.with({ distinct: false });
    let { sql, binds } = limited
      ? (this.state.distinct ? this.statement(null, { lock: false }) : bare.statement('1 AS one', { lock: false }))
      : bare.statement(`${expr} AS n`, { orders: false, lock: false });
    if (limited) sql = `SELECT COUNT(*) AS n FROM (${sql}) ${q('counted')}`;
    const rows = await this.meta.db.select(sql, binds);
    return Number(rows[0]?.n ?? 0);
  }

  private aggregateColumn(field: string): string {
    const ref = this.colRef(field, 'calculate');
    const joins = ref.path ? this.joinClauses() : undefined;
    return this.compiler(1, joins?.aliases).col(ref.path, ref.field);
  }

  private async calculate(fn: string, field: string, convert: (v: unknown, f: FieldDecl) => unknown): Promise<any> {
    const ref = this.colRef(field, 'calculate');
    const expr = `${fn}(${this.aggregateColumn(field)})`;
    if (this.state.group?.length) return this.state.none ? new Map() : this.grouped(expr, (v) => convert(v, ref.field));
    if (this.state.none) return convert(null, ref.field);
    const q = this.meta.db.dialect.quote;
    const limited = this.state.limit !== undefined || this.state.offset !== undefined;
    let sql: string;
    let binds: unknown[];
    if (limited) {
      const inner = this.statement(`${this.aggregateColumn(field)} AS ${q('v')}`, { lock: false });
      sql = `SELECT ${fn}(${q('v')}) AS v FROM (${inner.sql}) ${q('calculated')}`;
      binds = inner.binds;
    } else {
      ({ sql, binds } = this.statement(`${expr} AS v`, { orders: false, lock: false }));
    }
    const rows = await this.meta.db.select(sql, binds);
    return convert(rows[0]?.v ?? null, ref.field);
  }

  private async grouped(expr: string, convert: (v: unknown) => unknown): Promise<Map<unknown, unknown>> {
    const { sql, binds } = this.statement(`${expr} AS v`, { groupHead: true, lock: false });
    const rows = await this.meta.db.select(sql, binds);
    const groups = this.state.group!;
    const out = new Map<unknown, unknown>();
    for (const row of rows) {
      const keys = groups.map((g, i) => readValue(this.meta, g.field, row[`g${i}`]));
      out.set(keys.length === 1 ? keys[0] : keys, convert(row.v));
    }
    return out;
  }

  /** The sum of a numeric field (0 when no rows); a decimal field's as a string. */
  sum(field: string): Promise<number> {
    return this.calculate('SUM', field, (v, f) => (v === null || v === undefined ? (f.type === 'decimal' ? '0' : 0) : f.type === 'decimal' ? String(v) : f.type === 'bigint' ? BigInt(String(v).split('.')[0]!) : Number(v)));
  }

  /** The mean of a numeric field, or null when no rows. */
  average(field: string): Promise<number | null> {
    return this.calculate('AVG', field, (v) => (v === null || v === undefined ? null : Number(v)));
  }

  /** The smallest value of a field (null when no rows), read as the field's type. */
  minimum(field: string): Promise<any> {
    return this.calculate('MIN', field, (v, f) => readValue(this.meta, f, v));
  }

  /** The largest value of a field (null when no rows), read as the field's type. */
  maximum(field: string): Promise<any> {
    return this.calculate('MAX', field, (v, f) => readValue(this.meta, f, v));
  }

  /** The values of one field (an array), or of several (an array of arrays), without building records. */
  async pluck(...fields: string[]): Promise<any[]> {
    if (!fields.length) throw OrmErrors.UNKNOWN_COLUMN(this.model.name, '(none)', 'pluck() needs at least one field');
    if (this.state.none) return [];
    const refs = fields.map((f) => this.colRef(f, 'pluck'));
    const q = this.meta.db.dialect.quote;
    const joins = refs.some((r) => r.path) || this.state.joins.length ? this.joinClauses() : undefined;
    const c = this.compiler(1, joins?.aliases);
    const head = refs.map((r, i) => `${c.col(r.path, r.field)} AS ${q(`p${i}`)}`).join(', ');
    const { sql, binds } = this.with({ select: undefined }).statement(head);
    const rows = await this.meta.db.select(sql, binds);
    if (refs.length === 1) {
      const f = refs[0]!.field;
      return rows.map((r) => readValue(this.meta, f, r.p0));
    }
    return rows.map((r) => refs.map((ref, i) => readValue(this.meta, ref.field, r[`p${i}`])));
  }

  /** The primary keys of the matching rows. */
  ids(): Promise<any[]> {
    return this.pluck(this.meta.pk.property);
  }

  /** Whether any row matches (one `SELECT 1 ... LIMIT 1`). */
  async exists(): Promise<boolean> {
    if (this.state.none) return false;
    const { sql, binds } = this.with({ distinct: false, select: undefined }).limit(1).statement('1 AS one', { orders: false, lock: false });
    return (await this.meta.db.select(sql, binds)).length > 0;
  }

  /**
   * One page and the totals: `paginate({ page: params.page, perPage: 20 })`. A page that is missing,
   * not a number or below 1 reads as 1 (it usually comes from a query string).
   */
  async paginate(options: { page?: unknown; perPage?: number } = {}): Promise<Page<T>> {
    const perPage = options.perPage ?? 25;
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 10_000) throw OrmErrors.BAD_PAGINATION(10_000, perPage);
    const n = Number(options.page);
    const page = Number.isSafeInteger(n) && n >= 1 ? n : 1;
    const base = this.with({ limit: undefined, offset: undefined });
    const total = await base.count();
    const records = total > (page - 1) * perPage ? await base.limit(perPage).offset((page - 1) * perPage).toArray() : [];
    const pageCount = Math.ceil(total / perPage);
    return { records, page, perPage, total, pageCount, hasNextPage: page < pageCount, hasPreviousPage: page > 1 };
  }

  /**
   * The matching records in batches by primary key (keyset: `WHERE id > last ORDER BY id LIMIT n`), so a
   * large table is never loaded whole. The relation's own order is replaced by the key.
   */
  async *findInBatches(options: { batchSize?: number } = {}): AsyncGenerator<T[], void, undefined> {
    const size = options.batchSize ?? 1000;
    if (!Number.isInteger(size) || size < 1) throw OrmErrors.BAD_LIMIT('batchSize', size);
    const pk = this.meta.pk;
    let last: unknown;
    const base = this.with({ orders: [[{ field: pk }, 'ASC']], limit: size, offset: undefined });
    for (;;) {
      const rel = last === undefined ? base : base.with({ where: [...base.state.where, { k: 'cmp', field: pk, op: '>', value: last }] });
      const batch = await rel.toArray();
      if (!batch.length) return;
      yield batch;
      if (batch.length < size) return;
      last = (batch[batch.length - 1] as any)[pk.property];
    }
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
  async inBatches(fn: (batch: this) => unknown, options: { batchSize?: number } = {}): Promise<void> {
    const size = options.batchSize ?? 1000;
    if (!Number.isInteger(size) || size < 1) throw OrmErrors.BAD_LIMIT('batchSize', size);
    const pk = this.meta.pk;
    let last: unknown;
    const base = this.with({ orders: [[{ field: pk }, 'ASC']], limit: size, offset: undefined, includes: undefined });
    for (;;) {
      const rel = last === undefined ? base : base.with({ where: [...base.state.where, { k: 'cmp', field: pk, op: '>', value: last }] });
      const ids = await rel.ids();
      if (!ids.length) return;
      await fn(this.with({ ...EMPTY, deleted: 'with', strict: this.state.strict, includes: this.state.includes, where: [{ k: 'in', field: pk, values: ids }] }));
      if (ids.length < size) return;
      last = ids[ids.length - 1];
    }
  }

  /** The WHERE of an UPDATE or DELETE: the conditions, or `pk IN (subquery)` when joins, order or limit are involved. */
  private targetWhere(): { sql: string; binds: unknown[] } {
    const meta = this.meta;
    const s = this.state;
    const q = meta.db.dialect.quote;
    if (s.joins.length || s.limit !== undefined || s.offset !== undefined || s.distinct) {
      const inner = this.with({ select: undefined, includes: undefined, lock: false }).statement(`${meta.qtable}.${q(meta.pk.column)} AS ${q('k')}`);
      // MySQL refuses a subquery on the table being changed unless it is materialized: hence the wrapper.
      return { sql: ` WHERE ${q(meta.pk.column)} IN (SELECT ${q('k')} FROM (${inner.sql}) ${q('targets')})`, binds: inner.binds };
    }
    const where = this.conditions();
    if (!where.length) return { sql: '', binds: [] };
    const binds: unknown[] = [];
    for (const n of where) Relation.collect(n, binds, meta.db.dialect);
    const c = this.compiler(1, undefined);
    return { sql: ` WHERE ${where.map((n) => Relation.emit(n, c)).join(' AND ')}`, binds };
  }

  /** Updates every matching row in one statement (no validations, callbacks or timestamps); the number updated. */
  async updateAll(attrs: Record<string, unknown> | string, ...binds: unknown[]): Promise<number> {
    if (this.state.none) return 0;
    const meta = this.meta;
    const { dialect } = meta.db;
    const q = dialect.quote;
    let sets: string;
    let setBinds: unknown[];
    if (typeof attrs === 'string') {
      const wanted = attrs.split('?').length - 1;
      if (wanted !== binds.length) throw OrmErrors.BIND_COUNT(this.model.name, JSON.stringify(attrs), wanted, binds.length);
      let i = 0;
      sets = attrs.replace(/\?/g, () => dialect.placeholder(++i));
      setBinds = binds.map((b) => dialect.toDb(b, undefined));
    } else {
      const entries = Object.entries(attrs);
      if (!entries.length) return 0;
      setBinds = [];
      sets = entries.map(([prop, v], i) => {
        const f = meta.byProperty.get(prop);
        if (!f) throw OrmErrors.UNKNOWN_COLUMN(this.model.name, prop, [...meta.byProperty.keys()].join(', '));
        if (v === undefined) throw OrmErrors.UNDEFINED_CONDITION(this.model.name, 'updateAll', `{ ${prop}: undefined }`, prop);
        setBinds.push(dialect.toDb(castValue(v, f), f));
        return `${q(f.column)} = ${dialect.placeholder(i + 1)}`;
      }).join(', ');
    }
    const where = this.targetWhere();
    // PostgreSQL numbers placeholders: the WHERE's continue after the SET's.
    const whereSql = dialect.adapter === 'postgres' ? renumber(where.sql, setBinds.length) : where.sql;
    const res = await meta.db.run(`UPDATE ${meta.qtable} SET ${sets}${whereSql}`, [...setBinds, ...where.binds]);
    return res.affected;
  }

  /** Deletes every matching row in one statement (no callbacks); the number deleted. */
  async deleteAll(): Promise<number> {
    if (this.state.none) return 0;
    const where = this.targetWhere();
    return (await this.meta.db.run(`DELETE FROM ${this.meta.qtable}${where.sql}`, where.binds)).affected;
  }

  /** Destroys every matching record one by one, with callbacks and dependents; the records. */
  async destroyAll(): Promise<T[]> {
    const records = await this.toArray();
    for (const r of records) await (r as any).destroy();
    return records;
  }

  [scope: string]: any;
}

interface Compiler {
  ph(): string;
  col(path: string | undefined, field: FieldDecl): string;
}

function structuredCloneTree(t: IncludeTree | undefined): IncludeTree {
  if (!t) return {};
  const out: IncludeTree = {};
  for (const [k, v] of Object.entries(t)) out[k] = structuredCloneTree(v);
  return out;
}

/** `$1` -> `$(1 + by)`: for a WHERE placed after other binds. */
function renumber(sql: string, by: number): string {
  return by ? sql.replace(/\$(\d+)/g, (_, n) => `$${Number(n) + by}`) : sql;
}

function readValue(meta: ModelMeta, field: FieldDecl, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  return meta.db.dialect.fromDb(v, field);
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
