import { castValue } from './cast';
import { renumber, targetWhere } from './compile';
import { isRequestParams } from './conditions';
import { OrmErrors } from './errors';
import type { FieldDecl } from '../registry';
import type { ModelMeta } from './meta';
import type { State } from './query-state';

/**
 * Writes to every row a relation matches, each in one statement: no validations, callbacks or
 * timestamps. With joins, order or limit, the rows are picked by a subquery on the primary key.
 */

/** UPDATE ... SET from attributes (cast like assignment) or a SQL fragment with `?` binds; the number updated. */
export async function updateAll(meta: ModelMeta, s: State, attrs: Record<string, unknown> | string, binds: unknown[]): Promise<number> {
  if (isRequestParams(attrs)) throw OrmErrors.FORBIDDEN_ATTRIBUTES(`${meta.model.name}.updateAll`);
  if (s.none) return 0;
  const { dialect } = meta.db;
  const q = dialect.quote;
  const modelName = meta.model.name;
  let sets: string;
  let setBinds: unknown[];
  if (typeof attrs === 'string') {
    const wanted = attrs.split('?').length - 1;
    if (wanted !== binds.length) throw OrmErrors.BIND_COUNT(modelName, JSON.stringify(attrs), wanted, binds.length);
    let i = 0;
    sets = attrs.replace(/\?/g, () => dialect.placeholder(++i));
    setBinds = binds.map((b) => dialect.toDb(b, undefined));
  } else {
    const entries = Object.entries(attrs);
    if (!entries.length) return 0;
    setBinds = [];
    sets = entries.map(([prop, v], i) => {
      const f = meta.byProperty.get(prop);
      if (!f) throw OrmErrors.UNKNOWN_COLUMN(modelName, prop, [...meta.byProperty.keys()].join(', '));
      if (v === undefined) throw OrmErrors.UNDEFINED_CONDITION(modelName, 'updateAll', `{ ${prop}: undefined }`, prop);
      setBinds.push(dialect.toDb(castValue(v, f), f));
      return `${q(f.column)} = ${dialect.placeholder(i + 1)}`;
    }).join(', ');
  }
  const where = targetWhere(meta, s);
  // PostgreSQL numbers placeholders: the WHERE's continue after the SET's.
  const whereSql = dialect.adapter === 'postgres' ? renumber(where.sql, setBinds.length) : where.sql;
  const res = await meta.db.run(`UPDATE ${meta.qtable} SET ${sets}${whereSql}`, [...setBinds, ...where.binds]);
  return res.affected;
}

/** DELETE of every matching row; the number deleted. */
export async function deleteAll(meta: ModelMeta, s: State): Promise<number> {
  if (s.none) return 0;
  const where = targetWhere(meta, s);
  return (await meta.db.run(`DELETE FROM ${meta.qtable}${where.sql}`, where.binds)).affected;
}

export interface UpsertOptions {
  /**
   * The fields a conflict is detected on (a unique index over them must exist): the primary key by default.
   * PostgreSQL and SQLite only; MariaDB/MySQL use whichever unique key the row conflicts with.
   */
  uniqueBy?: string | string[];
  /** The fields a conflicting row gets from the new one: by default every given field but `uniqueBy`'s (and a creation timestamp). */
  updateOnly?: string[];
}

/** The most bind values one statement carries (SQLite's default limit is 32,766; PostgreSQL's 65,535). */
const MAX_BINDS = 30_000;

/**
 * INSERT of many rows in one statement a batch, each row that conflicts with an existing one (by `uniqueBy`)
 * updating it instead: Rails' `upsert_all`. No validations or callbacks; timestamps are filled in (a creation
 * timestamp only on rows inserted). Rows naming the same key twice: the last wins (PostgreSQL would refuse
 * the statement; SQLite and MariaDB apply them in order). Returns the number of rows given after that.
 */
export async function upsertAll(meta: ModelMeta, rows: readonly Record<string, unknown>[], options: UpsertOptions): Promise<number> {
  const modelName = meta.model.name;
  if (isRequestParams(rows)) throw OrmErrors.FORBIDDEN_ATTRIBUTES(`${modelName}.upsertAll`);
  if (rows.length === 0) return 0;
  const { dialect } = meta.db;
  const q = dialect.quote;
  const keys = Object.keys(rows[0]!);
  const fields: FieldDecl[] = keys.map((k) => {
    const f = meta.byProperty.get(k);
    if (!f) throw OrmErrors.UNKNOWN_COLUMN(modelName, k, [...meta.byProperty.keys()].join(', '));
    return f;
  });
  const given = new Set(keys);
  const stamps = meta.fields.filter((f) => f.timestamp && !given.has(f.property));
  const unique = options.uniqueBy === undefined ? [meta.pk.property] : Array.isArray(options.uniqueBy) ? options.uniqueBy : [options.uniqueBy];
  if (options.uniqueBy !== undefined && dialect.adapter === 'mysql') {
    throw OrmErrors.BAD_UPSERT(modelName, 'uniqueBy is for PostgreSQL and SQLite; MariaDB/MySQL detect the conflict on any unique key (leave uniqueBy out)');
  }
  for (const u of unique) {
    if (!meta.byProperty.has(u)) throw OrmErrors.UNKNOWN_COLUMN(modelName, u, [...meta.byProperty.keys()].join(', '));
    if (!given.has(u)) throw OrmErrors.BAD_UPSERT(modelName, `every row needs the uniqueBy field "${u}"`);
  }
  // The last row for each key, in the order the keys first appear.
  const byKey = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    if (isRequestParams(row)) throw OrmErrors.FORBIDDEN_ATTRIBUTES(`${modelName}.upsertAll`);
    const rowKeys = Object.keys(row);
    if (rowKeys.length !== keys.length || rowKeys.some((k) => !given.has(k))) {
      throw OrmErrors.BAD_UPSERT(modelName, `every row must have the same fields (the first has ${keys.join(', ')}; another has ${rowKeys.join(', ')})`);
    }
    byKey.set(JSON.stringify(unique.map((u) => String(castValue(row[u], meta.byProperty.get(u)!)))), row);
  }
  const columns = [...fields, ...stamps];
  const now = new Date();
  const values = (row: Record<string, unknown>): unknown[] => [
    ...fields.map((f) => dialect.toDb(castValue(row[f.property], f), f)),
    ...stamps.map((f) => dialect.toDb(now, f)),
  ];
  const uniqueSet = new Set(unique);
  const updated = (options.updateOnly ?? [...keys, ...stamps.map((f) => f.property)]).filter((p) => !uniqueSet.has(p)).map((p) => {
    const f = meta.byProperty.get(p);
    if (!f) throw OrmErrors.UNKNOWN_COLUMN(modelName, p, [...meta.byProperty.keys()].join(', '));
    return f;
  }).filter((f) => f.timestamp !== 'create' || given.has(f.property));
  const head = `INSERT INTO ${meta.qtable} (${columns.map((f) => q(f.column)).join(', ')}) VALUES `;
  let tail: string;
  if (dialect.adapter === 'mysql') {
    const sets = updated.length ? updated.map((f) => `${q(f.column)} = VALUES(${q(f.column)})`) : [`${q(meta.pk.column)} = ${q(meta.pk.column)}`];
    tail = ` ON DUPLICATE KEY UPDATE ${sets.join(', ')}`;
  } else {
    const target = unique.map((u) => q(meta.byProperty.get(u)!.column)).join(', ');
    tail = updated.length
      ? ` ON CONFLICT (${target}) DO UPDATE SET ${updated.map((f) => `${q(f.column)} = excluded.${q(f.column)}`).join(', ')}`
      : ` ON CONFLICT (${target}) DO NOTHING`;
  }
  const list = [...byKey.values()];
  const perStatement = Math.max(1, Math.floor(MAX_BINDS / columns.length));
  for (let start = 0; start < list.length; start += perStatement) {
    const chunk = list.slice(start, start + perStatement);
    const binds: unknown[] = [];
    const tuples = chunk.map((row) => {
      const first = binds.length;
      binds.push(...values(row));
      return `(${columns.map((_, i) => dialect.placeholder(first + i + 1)).join(', ')})`;
    });
    await meta.db.run(`${head}${tuples.join(', ')}${tail}`, binds);
  }
  return list.length;
}
