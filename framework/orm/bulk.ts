import { castValue } from './cast';
import { renumber, targetWhere } from './compile';
import { isRequestParams } from './conditions';
import { OrmErrors } from './errors';
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
