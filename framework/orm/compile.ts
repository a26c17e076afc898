import type { AssociationDecl, FieldDecl } from '../registry';
import { associationOf, foreignKeyOf, throughOf } from './associations';
import { OrmErrors } from './errors';
import { metaOf, type ModelMeta } from './meta';
import { withPatch, type Node, type State } from './query-state';

/**
 * SQL compilation: a relation's state to a statement and its binds. The statement up to LIMIT is cached
 * per query shape (the kinds of its conditions, columns, joins and order, never the values), so a chain
 * run again only collects its binds.
 */

const SQL_CACHE_LIMIT = 500;

/** Joined association paths to their table aliases. */
export type Aliases = Map<string, { alias: string; meta: ModelMeta }>;

export interface Statement {
  sql: string;
  binds: unknown[];
}

export interface StatementOptions {
  orders?: boolean;
  page?: boolean;
  group?: boolean;
  lock?: boolean;
  groupHead?: boolean;
}

export interface Compiler {
  ph(): string;
  col(path: string | undefined, field: FieldDecl): string;
}

/** The conditions a statement runs with: the relation's, with the soft-delete filter unless it is lifted. */
export function whereNodes(meta: ModelMeta, s: State): Node[] {
  const sd = meta.softDelete;
  const nodes = s.where;
  if (s.none) return [{ k: 'false' }];
  if (!sd || s.deleted === 'with') return nodes;
  const soft: Node = s.deleted === 'only' ? { k: 'not', item: { k: 'null', field: sd } } : { k: 'null', field: sd };
  return [soft, ...nodes];
}

/**
 * A condition's part of the statement's cache key. A column condition's is made at once; a compound or raw
 * one's is memoized on the node (nodes never change).
 */
function shape(node: Node): string {
  switch (node.k) {
    case 'eq': return node.path ? `e${node.path}.${node.field.column}` : `e.${node.field.column}`;
    case 'null': return node.path ? `z${node.path}.${node.field.column}` : `z.${node.field.column}`;
    case 'cmp': return `c${node.op}${node.path ?? ''}.${node.field.column}`;
    default:
  }
  const memo = (node as { s?: string }).s;
  if (memo !== undefined) return memo;
  let out: string;
  switch (node.k) {
    case 'in': {
      let n = 0;
      let z = false;
      for (const v of node.values) v === null ? (z = true) : n++;
      out = `i${node.path ?? ''}.${node.field.column}:${n}${z ? 'z' : ''}`;
      break;
    }
    case 'raw': out = `r${node.binds.map((b) => (Array.isArray(b) ? b.length : '')).join(',')}:${node.sql}`; break;
    case 'and': case 'or': out = `${node.k}(${node.items.map((i) => shape(i)).join(';')})`; break;
    case 'not': out = `not(${shape(node.item)})`; break;
    case 'false': out = 'f'; break;
  }
  (node as { s?: string }).s = out;
  return out;
}

/** A condition's bound values, in placeholder order. */
export function collect(node: Node, binds: unknown[], dialect: ModelMeta['db']['dialect']): void {
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
      for (const i of node.items) collect(i, binds, dialect);
      return;
    case 'not':
      collect(node.item, binds, dialect);
      return;
    default:
  }
}

/** The SQL of a condition, placeholders numbered through `c`. */
export function emit(node: Node, c: Compiler): string {
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
      const parts = node.items.map((i) => emit(i, c));
      return parts.length === 1 ? parts[0]! : `(${parts.join(node.k === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'not':
      if (node.item.k === 'null') return `${c.col(node.item.path, node.item.field)} IS NOT NULL`;
      return `NOT (${emit(node.item, c)})`;
    case 'false':
      return '1=0';
  }
}

/** Table aliases for the joins, and the JOIN clauses. */
export function joinClauses(meta: ModelMeta, s: State): { sql: string; aliases: Aliases } {
  const q = meta.db.dialect.quote;
  const aliases: Aliases = new Map();
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
  for (const j of s.joins) {
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

/** Placeholders numbered from `start`, and column names qualified as the joins require. */
export function compiler(meta: ModelMeta, s: State, start: number, aliases: Aliases | undefined): Compiler {
  const { dialect } = meta.db;
  const q = dialect.quote;
  let n = start;
  const qualify = !!s.joins.length;
  return {
    ph: () => dialect.placeholder(n++),
    col: (path, field) => {
      if (!path) return qualify ? `${meta.qtable}.${q(field.column)}` : q(field.column);
      const j = aliases?.get(path);
      if (!j) {
        const top = path.split('.')[0]!;
        throw OrmErrors.NOT_JOINED(meta.model.name, `${path}.${field.property}`, path, top, top);
      }
      return `${q(j.alias)}.${q(field.column)}`;
    },
  };
}

/**
 * A SELECT over this relation: `head` is the select list (default: the records' columns). The statement
 * up to LIMIT is compiled once per shape and cached; LIMIT and OFFSET are appended.
 */
export function statement(meta: ModelMeta, s: State, head: string | null, opts: StatementOptions = {}): Statement {
  const { dialect } = meta.db;
  const orders = opts.orders !== false ? s.orders : [];
  const binds: unknown[] = [];
  const where = whereNodes(meta, s);
  let key = `${head ?? (s.select ? s.select.map((f) => f.column).join(',') : '*')}|${s.distinct ? 'd' : ''}|${s.joins.length ? s.joins.map((j) => (j.left ? 'L' : 'J') + j.path).join(',') : ''}|`;
  for (const node of where) {
    key += shape(node);
    key += ';';
    collect(node, binds, dialect);
  }
  const grouped = opts.group !== false && s.group?.length;
  if (grouped) {
    key += `|g${s.group!.map((g) => `${g.path ?? ''}.${g.field.column}`).join(',')}${opts.groupHead ? 'h' : ''}|`;
    for (const node of s.having) {
      key += `${shape(node)};`;
      collect(node, binds, dialect);
    }
  }
  key += '|';
  for (const [c, d] of orders) key += `${c.path ?? ''}.${c.field.column} ${d},`;
  const lock = opts.lock !== false && s.lock && dialect.forUpdate;
  if (lock) key += '|lock';
  let sql = meta.sqlCache.get(key);
  if (sql === undefined) {
    const joins = s.joins.length ? joinClauses(meta, s) : undefined;
    const c = compiler(meta, s, 1, joins?.aliases);
    const q = dialect.quote;
    let what = head;
    if (what === null) {
      if (s.select) what = s.select.map((f) => c.col(undefined, f)).join(', ');
      else what = joins ? `${meta.qtable}.*` : '*';
    }
    if (grouped && opts.groupHead) what = `${s.group!.map((g, i) => `${c.col(g.path, g.field)} AS ${q(`g${i}`)}`).join(', ')}, ${what}`;
    sql = `SELECT ${s.distinct ? 'DISTINCT ' : ''}${what} FROM ${meta.qtable}${joins?.sql ?? ''}`;
    if (where.length) sql += ` WHERE ${where.map((n) => emit(n, c)).join(' AND ')}`;
    if (grouped) {
      sql += ` GROUP BY ${s.group!.map((g) => c.col(g.path, g.field)).join(', ')}`;
      if (s.having.length) sql += ` HAVING ${s.having.map((n) => emit(n, c)).join(' AND ')}`;
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

/** The WHERE of an UPDATE or DELETE: the conditions, or `pk IN (subquery)` when joins, order or limit are involved. */
export function targetWhere(meta: ModelMeta, s: State): Statement {
  const q = meta.db.dialect.quote;
  if (s.joins.length || s.limit !== undefined || s.offset !== undefined || s.distinct) {
    const inner = statement(meta, withPatch(s, { select: undefined, includes: undefined, lock: false }), `${meta.qtable}.${q(meta.pk.column)} AS ${q('k')}`);
    // MySQL refuses a subquery on the table being changed unless it is materialized: hence the wrapper.
    return { sql: ` WHERE ${q(meta.pk.column)} IN (SELECT ${q('k')} FROM (${inner.sql}) ${q('targets')})`, binds: inner.binds };
  }
  const where = whereNodes(meta, s);
  if (!where.length) return { sql: '', binds: [] };
  const binds: unknown[] = [];
  for (const n of where) collect(n, binds, meta.db.dialect);
  const c = compiler(meta, s, 1, undefined);
  return { sql: ` WHERE ${where.map((n) => emit(n, c)).join(' AND ')}`, binds };
}

/** `$1` -> `$(1 + by)`: for a WHERE placed after other binds. */
export function renumber(sql: string, by: number): string {
  return by ? sql.replace(/\$(\d+)/g, (_, n) => `$${Number(n) + by}`) : sql;
}
