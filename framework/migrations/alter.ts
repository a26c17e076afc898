import type { QueryRunner, Table, TableColumn } from 'typeorm';
import type { Adapter } from '../orm';
import { MigrationErrors } from './errors';

/**
 * TypeORM caches the tables it has read; after raw SQL or a rename they must be read afresh. Reading no
 * tables (public `getTables([])`, which asks the database nothing) leaves its cache empty.
 */
export async function forgetTables(qr: QueryRunner): Promise<void> {
  await qr.getTables([]);
}

/** The table as the database has it now. */
export async function freshTable(qr: QueryRunner, name: string): Promise<Table> {
  const t = await qr.getTable(name);
  if (!t) throw MigrationErrors.NO_TABLE(name);
  return t;
}

/**
 * Changes a column in place, keeping its data. TypeORM's changeColumn drops and re-adds a column whose
 * type or length changes on PostgreSQL and MySQL (losing every value), so there the type is changed with
 * the database's own ALTER (PostgreSQL converts with USING), and TypeORM then applies NULL, default and
 * uniqueness. SQLite rebuilds the table, copying the rows, which TypeORM does itself.
 */
export async function changeColumnType(qr: QueryRunner, adapter: Adapter, table: string, name: string, next: TableColumn): Promise<void> {
  const t = await freshTable(qr, table);
  const old = t.columns.find((c) => c.name === name);
  if (!old) throw MigrationErrors.NO_COLUMN(table, name);
  if (adapter === 'sqlite') {
    await qr.changeColumn(t, old, next);
    await forgetTables(qr);
    return;
  }
  const driver = qr.connection.driver; // createFullType is part of TypeORM's public Driver interface
  const q = (id: string) => (adapter === 'postgres' ? `"${id}"` : `\`${id}\``);
  const clone = old.clone();
  if (adapter === 'postgres') {
    if (old.type === 'enum' || next.type === 'enum') {
      throw MigrationErrors.BAD_OPTION(`changeColumn(${table}, ${name})`, 'PostgreSQL cannot change a column to or from an enum in place: add a new column, copy the values with execute(), then remove the old one');
    }
    const full = driver.createFullType(next);
    if (old.default !== undefined && old.default !== null) {
      await qr.query(`ALTER TABLE ${q(table)} ALTER COLUMN ${q(name)} DROP DEFAULT`);
      clone.default = undefined;
    }
    await qr.query(`ALTER TABLE ${q(table)} ALTER COLUMN ${q(name)} TYPE ${full} USING ${q(name)}::${full}`);
  } else {
    const full = next.type === 'enum' ? `enum(${(next.enum ?? []).map((v) => `'${v.replace(/'/g, "''")}'`).join(',')})` : driver.createFullType(next);
    await qr.query(`ALTER TABLE ${q(table)} MODIFY ${q(name)} ${full} NULL`);
    clone.isNullable = true;
    clone.default = undefined;
  }
  // Now only NULL, default and uniqueness can differ, which TypeORM changes without touching the data.
  Object.assign(clone, { type: next.type, length: next.length, precision: next.precision, scale: next.scale, enum: next.enum });
  const current = t.clone();
  current.columns = current.columns.map((c) => (c.name === name ? clone : c));
  await qr.changeColumn(current, clone, next);
  await forgetTables(qr);
}
