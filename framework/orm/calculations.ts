import type { FieldDecl } from '../registry';
import { compiler, joinClauses, statement } from './compile';
import { colRef } from './conditions';
import { OrmErrors } from './errors';
import type { ModelMeta } from './meta';
import { withPatch, type State } from './query-state';

/** A grouped relation's calculations: one value per group (an array key for several columns). */
export type Grouped<V> = Map<unknown, V>;

/**
 * Calculations over a relation, in the database: count, sum, average, minimum and maximum (per group
 * after `group(...)`), pluck and exists, each one statement whose values are read as the field's type.
 */

/** The number of matching rows (within limit and offset when given); `count('field')` counts non-null values. Grouped: per group. */
export async function count(meta: ModelMeta, s: State, field?: string): Promise<number | Grouped<number>> {
  if (s.none) return s.group?.length ? new Map() : 0;
  const q = meta.db.dialect.quote;
  const col = field ? aggregateColumn(meta, s, field) : undefined;
  // DISTINCT counts distinct values: of the field given, of the one field selected, or else of the key.
  let distinctCol: string | undefined;
  if (s.distinct) {
    const c = compiler(meta, s, 1, undefined);
    distinctCol = col ?? (s.select?.length === 1 ? c.col(undefined, s.select[0]!) : s.select ? undefined : c.col(undefined, meta.pk));
  }
  const expr = distinctCol ? `COUNT(DISTINCT ${distinctCol})` : col ? `COUNT(${col})` : 'COUNT(*)';
  if (s.group?.length) return grouped(meta, s, expr, (v) => Number(v ?? 0)) as Promise<Grouped<number>>;
  const limited = s.limit !== undefined || s.offset !== undefined;
  const bare = withPatch(s, { distinct: false });
  let { sql, binds } = limited
    ? (s.distinct ? statement(meta, s, null, { lock: false }) : statement(meta, bare, '1 AS one', { lock: false }))
    : statement(meta, bare, `${expr} AS n`, { orders: false, lock: false });
  if (limited) sql = `SELECT COUNT(*) AS n FROM (${sql}) ${q('counted')}`;
  const rows = await meta.db.select(sql, binds);
  return Number(rows[0]?.n ?? 0);
}

function aggregateColumn(meta: ModelMeta, s: State, field: string): string {
  const ref = colRef(meta, field, 'calculate');
  const joins = ref.path ? joinClauses(meta, s) : undefined;
  return compiler(meta, s, 1, joins?.aliases).col(ref.path, ref.field);
}

async function calculate(meta: ModelMeta, s: State, fn: string, field: string, convert: (v: unknown, f: FieldDecl) => unknown): Promise<any> {
  const ref = colRef(meta, field, 'calculate');
  const expr = `${fn}(${aggregateColumn(meta, s, field)})`;
  if (s.group?.length) return s.none ? new Map() : grouped(meta, s, expr, (v) => convert(v, ref.field));
  if (s.none) return convert(null, ref.field);
  const q = meta.db.dialect.quote;
  const limited = s.limit !== undefined || s.offset !== undefined;
  let sql: string;
  let binds: unknown[];
  if (limited) {
    const inner = statement(meta, s, `${aggregateColumn(meta, s, field)} AS ${q('v')}`, { lock: false });
    sql = `SELECT ${fn}(${q('v')}) AS v FROM (${inner.sql}) ${q('calculated')}`;
    binds = inner.binds;
  } else {
    ({ sql, binds } = statement(meta, s, `${expr} AS v`, { orders: false, lock: false }));
  }
  const rows = await meta.db.select(sql, binds);
  return convert(rows[0]?.v ?? null, ref.field);
}

async function grouped(meta: ModelMeta, s: State, expr: string, convert: (v: unknown) => unknown): Promise<Map<unknown, unknown>> {
  const { sql, binds } = statement(meta, s, `${expr} AS v`, { groupHead: true, lock: false });
  const rows = await meta.db.select(sql, binds);
  const groups = s.group!;
  const out = new Map<unknown, unknown>();
  for (const row of rows) {
    const keys = groups.map((g, i) => readValue(meta, g.field, row[`g${i}`]));
    out.set(keys.length === 1 ? keys[0] : keys, convert(row.v));
  }
  return out;
}

/** The sum of a numeric field (0 when no rows); a decimal field's as a string. */
export function sum(meta: ModelMeta, s: State, field: string): Promise<any> {
  return calculate(meta, s, 'SUM', field, (v, f) => (v === null || v === undefined ? (f.type === 'decimal' ? '0' : 0) : f.type === 'decimal' ? String(v) : f.type === 'bigint' ? BigInt(String(v).split('.')[0]!) : Number(v)));
}

/** The mean of a numeric field, or null when no rows. */
export function average(meta: ModelMeta, s: State, field: string): Promise<any> {
  return calculate(meta, s, 'AVG', field, (v) => (v === null || v === undefined ? null : Number(v)));
}

/** The smallest value of a field (null when no rows), read as the field's type. */
export function minimum(meta: ModelMeta, s: State, field: string): Promise<any> {
  return calculate(meta, s, 'MIN', field, (v, f) => readValue(meta, f, v));
}

/** The largest value of a field (null when no rows), read as the field's type. */
export function maximum(meta: ModelMeta, s: State, field: string): Promise<any> {
  return calculate(meta, s, 'MAX', field, (v, f) => readValue(meta, f, v));
}

/** The values of one field (an array), or of several (an array of arrays), without building records. */
export async function pluck(meta: ModelMeta, s: State, fields: string[]): Promise<any[]> {
  if (!fields.length) throw OrmErrors.UNKNOWN_COLUMN(meta.model.name, '(none)', 'pluck() needs at least one field');
  if (s.none) return [];
  const refs = fields.map((f) => colRef(meta, f, 'pluck'));
  const q = meta.db.dialect.quote;
  const joins = refs.some((r) => r.path) || s.joins.length ? joinClauses(meta, s) : undefined;
  const c = compiler(meta, s, 1, joins?.aliases);
  const head = refs.map((r, i) => `${c.col(r.path, r.field)} AS ${q(`p${i}`)}`).join(', ');
  const { sql, binds } = statement(meta, withPatch(s, { select: undefined }), head);
  const rows = await meta.db.select(sql, binds);
  if (refs.length === 1) {
    const f = refs[0]!.field;
    return rows.map((r) => readValue(meta, f, r.p0));
  }
  return rows.map((r) => refs.map((ref, i) => readValue(meta, ref.field, r[`p${i}`])));
}

/** Whether any row matches (one `SELECT 1 ... LIMIT 1`). */
export async function exists(meta: ModelMeta, s: State): Promise<boolean> {
  if (s.none) return false;
  const { sql, binds } = statement(meta, withPatch(s, { distinct: false, select: undefined, limit: 1 }), '1 AS one', { orders: false, lock: false });
  return (await meta.db.select(sql, binds)).length > 0;
}

function readValue(meta: ModelMeta, field: FieldDecl, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  return meta.db.dialect.fromDb(v, field);
}
