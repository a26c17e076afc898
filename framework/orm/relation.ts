import { castValue } from './cast';
import { OrmErrors } from './errors';
import { fieldOf, metaOf, type ModelMeta } from './meta';

type Condition =
  | { kind: 'eq'; column: string; value: unknown }
  | { kind: 'in'; column: string; values: unknown[] }
  | { kind: 'null'; column: string }
  | { kind: 'raw'; sql: string; binds: unknown[] };

interface State {
  conditions: Condition[];
  orders: [string, 'ASC' | 'DESC'][];
  limit?: number;
  offset?: number;
  includes: string[];
}

const SQL_CACHE_LIMIT = 500;

const EMPTY: State = { conditions: [], orders: [], includes: [] };

/**
 * A query over one model: immutable (every method returns a new relation) and thenable (`await` runs it).
 * Values are always bound; identifiers always quoted; a condition given `undefined` is refused rather
 * than matching every row.
 * @example const posts = await Post.where({ published: true }).order('createdAt', 'desc').limit(20);
 */
export class Relation<T = any> implements PromiseLike<T[]> {
  readonly model: any;
  protected readonly state: State;

  constructor(model: any, state: State = EMPTY) {
    this.model = model;
    this.state = state;
  }

  protected get meta(): ModelMeta {
    return metaOf(this.model);
  }

  private with(patch: Partial<State>): this {
    const Ctor = this.constructor as new (m: any, s: State) => this;
    return new Ctor(this.model, { ...this.state, ...patch });
  }

  /**
   * Hash conditions (`{ published: true, authorId: [1, 2], deletedAt: null }`) or a SQL fragment with
   * `?` placeholders (`where('views > ?', 100)`).
   */
  where(conditions: Record<string, unknown> | string, ...binds: unknown[]): this {
    if (typeof conditions === 'string') {
      const wanted = conditions.split('?').length - 1;
      if (wanted !== binds.length) throw OrmErrors.BIND_COUNT(this.model.name, JSON.stringify(conditions), wanted, binds.length);
      binds.forEach((b, i) => {
        if (b === undefined || (Array.isArray(b) && b.includes(undefined))) {
          throw OrmErrors.UNDEFINED_CONDITION(this.model.name, 'where', JSON.stringify(conditions), `?#${i + 1}`);
        }
      });
      return this.with({ conditions: [...this.state.conditions, { kind: 'raw', sql: conditions, binds }] });
    }
    const added: Condition[] = [];
    for (const [property, value] of Object.entries(conditions)) {
      const field = fieldOf(this.meta, property, 'where');
      if (value === undefined || (Array.isArray(value) && value.includes(undefined))) {
        throw OrmErrors.UNDEFINED_CONDITION(this.model.name, 'where', `{ ${property}: ${Array.isArray(value) ? '[..., undefined]' : 'undefined'} }`, property);
      }
      // Values from params are strings: cast as assignment does, so { published: 'true' } or { views: '20' }
      // match the same rows on every database.
      if (value === null) added.push({ kind: 'null', column: field.column });
      else if (Array.isArray(value) && field.type !== 'json') added.push({ kind: 'in', column: field.column, values: value.map((v) => castValue(v, field)) });
      else {
        const cast = castValue(value, field);
        added.push(cast === null ? { kind: 'null', column: field.column } : { kind: 'eq', column: field.column, value: cast });
      }
    }
    return this.with({ conditions: [...this.state.conditions, ...added] });
  }

  /** `order('createdAt', 'desc')` or `order({ createdAt: 'desc', id: 'asc' })`. */
  order(field: string | Record<string, string>, direction = 'asc'): this {
    const pairs = typeof field === 'string' ? [[field, direction] as const] : Object.entries(field);
    const orders = [...this.state.orders];
    for (const [name, dir] of pairs) {
      const d = String(dir).toUpperCase();
      if (d !== 'ASC' && d !== 'DESC') throw OrmErrors.BAD_ORDER(`${name} ${dir}`, this.model.name);
      const f = this.meta.byProperty.get(name);
      if (!f) throw OrmErrors.BAD_ORDER(name, this.model.name);
      orders.push([f.column, d]);
    }
    return this.with({ orders });
  }

  limit(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw OrmErrors.BAD_LIMIT('limit', n);
    return this.with({ limit: n });
  }

  offset(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw OrmErrors.BAD_LIMIT('offset', n);
    return this.with({ offset: n });
  }

  /** Loads the named associations with one query each, after the main query. */
  includes(...associations: string[]): this {
    for (const a of associations) {
      if (!this.meta.associations.has(a)) throw OrmErrors.UNKNOWN_ASSOCIATION(this.model.name, a, [...this.meta.associations.keys()].join(', ') || 'none');
    }
    return this.with({ includes: [...this.state.includes, ...associations] });
  }

  all(): this {
    return this;
  }

  /** The WHERE clause and its binds, with placeholders numbered from `start`. */
  private whereClause(start = 1): { sql: string; binds: unknown[]; shape: string } {
    const { dialect } = this.meta.db;
    const binds: unknown[] = [];
    const parts: string[] = [];
    let shape = '';
    const ph = () => dialect.placeholder(start + binds.length);
    for (const c of this.state.conditions) {
      const field = this.meta.fields.find((f) => f.column === (c as { column?: string }).column);
      switch (c.kind) {
        case 'eq': {
          const p = ph();
          binds.push(dialect.toDb(c.value, field));
          parts.push(`${dialect.quote(c.column)} = ${p}`);
          shape += `e${c.column};`;
          break;
        }
        case 'in': {
          // As Rails: [] matches nothing, and a null in the list also matches NULL.
          const values = c.values.filter((v) => v !== null);
          const withNull = values.length < c.values.length;
          const col = dialect.quote(c.column);
          const list = values.map((v) => {
            const p = ph();
            binds.push(dialect.toDb(v, field));
            return p;
          });
          const inList = list.length ? `${col} IN (${list.join(', ')})` : '';
          if (withNull) parts.push(inList ? `(${inList} OR ${col} IS NULL)` : `${col} IS NULL`);
          else parts.push(inList || '1=0');
          shape += `i${c.column}:${values.length}${withNull ? 'z' : ''};`;
          break;
        }
        case 'null':
          parts.push(`${dialect.quote(c.column)} IS NULL`);
          shape += `z${c.column};`;
          break;
        case 'raw': {
          // An array bind expands to a list: where('id IN (?)', [1, 2]) -> id IN (?, ?); [] -> NULL.
          let i = 0;
          const sql = c.sql.replace(/\?/g, () => {
            const b = c.binds[i++];
            if (!Array.isArray(b)) {
              const p = ph();
              binds.push(dialect.toDb(b, undefined));
              return p;
            }
            if (!b.length) return 'NULL';
            return b.map((v) => {
              const p = ph();
              binds.push(dialect.toDb(v, undefined));
              return p;
            }).join(', ');
          });
          parts.push(`(${sql})`);
          shape += `r${c.binds.map((b) => (Array.isArray(b) ? b.length : '')).join(',')}:${c.sql};`;
          break;
        }
      }
    }
    return { sql: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', binds, shape };
  }

  /** The SELECT this relation runs, and its binds. Compiled once per query shape and cached. */
  toSQL(): { sql: string; binds: unknown[] } {
    return this.select('*');
  }

  /** `SELECT <what> FROM ...`: the statement up to ORDER BY is cached by shape; LIMIT and OFFSET are appended. */
  private select(what: string, orders = this.state.orders): { sql: string; binds: unknown[] } {
    const meta = this.meta;
    const where = this.whereClause();
    const { limit, offset } = this.state;
    const key = `${what}|${where.shape}|${orders.map((o) => o.join(' ')).join(',')}`;
    let sql = meta.sqlCache.get(key);
    if (sql === undefined) {
      const q = meta.db.dialect.quote;
      sql = `SELECT ${what} FROM ${meta.qtable}${where.sql}`;
      if (orders.length) sql += ` ORDER BY ${orders.map(([c, d]) => `${q(c)} ${d}`).join(', ')}`;
      // Shapes are few in an app; a cap keeps raw fragments built by string concatenation from growing it forever.
      if (meta.sqlCache.size >= SQL_CACHE_LIMIT) meta.sqlCache.clear();
      meta.sqlCache.set(key, sql);
    }
    if (limit !== undefined) sql += ` LIMIT ${limit}`;
    if (offset !== undefined) sql += `${limit === undefined ? meta.db.dialect.noLimit : ''} OFFSET ${offset}`;
    return { sql, binds: where.binds };
  }

  /** Runs the query: an array of model instances, with included associations loaded. */
  async toArray(): Promise<T[]> {
    const { sql, binds } = this.toSQL();
    const rows = await this.meta.db.select(sql, binds);
    const records = rows.map((r) => this.model.hydrate(r) as T);
    for (const name of this.state.includes) await this.model.preload(records, name);
    return records;
  }

  then<R1 = T[], R2 = never>(onfulfilled?: ((value: T[]) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return this.toArray().then(onfulfilled, onrejected);
  }

  async first(): Promise<T | null> {
    const rel = this.state.orders.length ? this : this.order(this.meta.pk.property, 'asc');
    const [row] = await rel.limit(1).toArray();
    return row ?? null;
  }

  async findBy(conditions: Record<string, unknown>): Promise<T | null> {
    return this.where(conditions).first();
  }

  /** The record with this primary key; a 404-answering STRYKE_E_ORM_RECORD_NOT_FOUND when there is none. */
  async find(id: unknown): Promise<T> {
    const meta = this.meta;
    if (id === undefined || id === null || id === '') throw OrmErrors.RECORD_NOT_FOUND(this.model.name, `${meta.pk.property}=${String(id)}`);
    if (meta.pk.type === 'integer' && !(typeof id === 'number' ? Number.isSafeInteger(id) : /^-?\d{1,15}$/.test(String(id)))) {
      throw OrmErrors.RECORD_NOT_FOUND(this.model.name, `${meta.pk.property}=${JSON.stringify(id)}`);
    }
    const found = await this.where({ [meta.pk.property]: meta.pk.type === 'integer' ? Number(id) : id }).limit(1).toArray();
    if (!found[0]) throw OrmErrors.RECORD_NOT_FOUND(this.model.name, `${meta.pk.property}=${String(id)}`);
    return found[0];
  }

  /** The number of matching rows (within limit and offset when given). */
  async count(): Promise<number> {
    const limited = this.state.limit !== undefined || this.state.offset !== undefined;
    let { sql, binds } = limited ? this.select('1 AS one') : this.select('COUNT(*) AS n', []);
    if (limited) sql = `SELECT COUNT(*) AS n FROM (${sql}) ${this.meta.db.dialect.quote('counted')}`;
    const rows = await this.meta.db.select(sql, binds);
    return Number(rows[0]?.n ?? 0);
  }

  /** Whether any row matches (one `SELECT 1 ... LIMIT 1`). */
  async exists(): Promise<boolean> {
    const { sql, binds } = this.limit(1).select('1 AS one');
    return (await this.meta.db.select(sql, binds)).length > 0;
  }

  /** Deletes every matching row in one statement (no callbacks); the number deleted. */
  async deleteAll(): Promise<number> {
    const where = this.whereClause();
    return (await this.meta.db.run(`DELETE FROM ${this.meta.qtable}${where.sql}`, where.binds)).affected;
  }

  [scope: string]: any;
}
