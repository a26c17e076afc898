import { randomUUID } from 'node:crypto';
import type { ModelMeta } from './meta';
import { DESTROYED, markSaved, PERSISTED, type Change, type Rec } from './record-state';

/** The statements that write one record: its INSERT, its UPDATE of the changed fields, its DELETE. */

function fieldValues(record: Rec, meta: ModelMeta, includePk: boolean): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const f of meta.fields) {
    if (f.primary && !includePk) continue;
    const v = record[f.property];
    if (v === undefined) continue;
    out.push([f.column, meta.db.dialect.toDb(v, f)]);
  }
  return out;
}

/** INSERTs a new record (timestamps and a uuid key filled in) and reads back what the database set; the changes written. */
export async function insertRow(record: Rec, meta: ModelMeta): Promise<Record<string, Change>> {
  const now = new Date();
  for (const f of meta.fields) {
    // As Rails: a timestamp given by the caller (an import, a backfill) is kept.
    if (f.timestamp && (record[f.property] === undefined || record[f.property] === null)) record[f.property] = now;
  }
  if (meta.pk.type === 'uuid' && (record[meta.pk.property] === undefined || record[meta.pk.property] === null)) record[meta.pk.property] = randomUUID();
  const written = record.changes;
  const { dialect } = meta.db;
  const pkValue = record[meta.pk.property];
  const pairs = fieldValues(record, meta, pkValue !== undefined && pkValue !== null);
  const cols = pairs.map(([c]) => dialect.quote(c)).join(', ');
  const values = pairs.map((_, i) => dialect.placeholder(i + 1)).join(', ');
  let sql = pairs.length
    ? `INSERT INTO ${meta.qtable} (${cols}) VALUES (${values})`
    : dialect.adapter === 'mysql' ? `INSERT INTO ${meta.qtable} () VALUES ()` : `INSERT INTO ${meta.qtable} DEFAULT VALUES`;
  if (dialect.returning) sql += ' RETURNING *';
  const result = await meta.db.run(sql, pairs.map(([, v]) => v));
  let row = dialect.returning ? result.rows[0] : undefined;
  if (!dialect.returning) {
    if (result.insertId !== undefined && (pkValue === undefined || pkValue === null)) record[meta.pk.property] = meta.pk.type === 'bigint' ? BigInt(result.insertId) : Number(result.insertId);
    // Without RETURNING, fields left unset (database defaults, NULLs) are read back, so a new record
    // looks the same on every database.
    if (meta.fields.some((f) => record[f.property] === undefined)) {
      const where = `${dialect.quote(meta.pk.column)} = ${dialect.placeholder(1)}`;
      [row] = await meta.db.select(`SELECT * FROM ${meta.qtable} WHERE ${where}`, [dialect.toDb(record[meta.pk.property], meta.pk)]);
    }
  }
  if (row) meta.fields.forEach((f, i) => {
    if (!(f.column in row!)) return;
    const v = row![f.column];
    const r = meta.readers[i];
    record[f.property] = v === null || v === undefined ? null : r ? r(v) : v;
  });
  record[PERSISTED] = true;
  markSaved(record, meta);
  return written;
}

/** UPDATEs the changed fields (and the update timestamp); the changes written. */
export async function updateRow(record: Rec, meta: ModelMeta): Promise<Record<string, Change>> {
  const changed = new Set(record.changed());
  if (!changed.size) return {};
  for (const f of meta.fields) {
    if (f.timestamp === 'update' && !changed.has(f.property)) {
      record[f.property] = new Date();
      changed.add(f.property);
    }
  }
  const written = record.changes;
  const { dialect } = meta.db;
  const pairs: [string, unknown][] = [];
  for (const f of meta.fields) if (changed.has(f.property) && !f.primary) pairs.push([f.column, dialect.toDb(record[f.property], f)]);
  if (pairs.length) {
    const sets = pairs.map(([c], i) => `${dialect.quote(c)} = ${dialect.placeholder(i + 1)}`).join(', ');
    const sql = `UPDATE ${meta.qtable} SET ${sets} WHERE ${dialect.quote(meta.pk.column)} = ${dialect.placeholder(pairs.length + 1)}`;
    await meta.db.run(sql, [...pairs.map(([, v]) => v), dialect.toDb(record.attributeWas(meta.pk.property) ?? record[meta.pk.property], meta.pk)]);
  }
  markSaved(record, meta);
  return written;
}

/** DELETEs the record's row or, when the model soft-deletes (and `force` is false), sets its deleted mark. */
export async function deleteRow(record: Rec, meta: ModelMeta, force: boolean): Promise<void> {
  const { dialect } = meta.db;
  const where = `${dialect.quote(meta.pk.column)} = ${dialect.placeholder(meta.softDelete && !force ? 2 : 1)}`;
  const key = dialect.toDb(record[meta.pk.property], meta.pk);
  if (meta.softDelete && !force) {
    const now = new Date();
    await meta.db.run(`UPDATE ${meta.qtable} SET ${dialect.quote(meta.softDelete.column)} = ${dialect.placeholder(1)} WHERE ${where}`, [dialect.toDb(now, meta.softDelete), key]);
    record[meta.softDelete.property] = now;
    markSaved(record, meta);
  } else {
    await meta.db.run(`DELETE FROM ${meta.qtable} WHERE ${where}`, [key]);
    record[PERSISTED] = false;
  }
  record[DESTROYED] = true;
}
