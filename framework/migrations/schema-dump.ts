import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from '../support';
import type { QueryRunner } from 'typeorm';
import { Table } from 'typeorm/schema-builder/table/Table';
import { TableColumn } from 'typeorm/schema-builder/table/TableColumn';
import { TableForeignKey } from 'typeorm/schema-builder/table/TableForeignKey';
import { TableIndex } from 'typeorm/schema-builder/table/TableIndex';
import type { Database, Adapter } from '../orm';
import { schemaSource } from './typeorm';
import { MigrationErrors } from './errors';
import { columnOptions } from './table';
import type { ColumnOptions, ColumnType } from './types';

export interface DumpColumn {
  name: string;
  /** stryke's column type; `native` for one stryke has no name for (then `sqlType` holds it). */
  type: ColumnType | 'native';
  sqlType?: string;
  limit?: number;
  precision?: number;
  scale?: number;
  values?: string[];
  null: boolean;
  default?: unknown;
  primary?: true;
  autoIncrement?: true;
  unique?: true;
}

export interface DumpIndex { name: string; columns: string[]; unique: boolean }
export interface DumpForeignKey { name: string; columns: string[]; table: string; referencedColumns: string[]; onDelete: string; onUpdate: string }
export interface DumpTable { name: string; columns: DumpColumn[]; indexes: DumpIndex[]; foreignKeys: DumpForeignKey[] }

/** `db/schema.json`: the database's tables in stryke's own (portable) terms, and the migrations applied. */
export interface SchemaDump {
  format: 'stryke-schema/1';
  /** Applied migration versions, oldest first. */
  migrations: string[];
  tables: DumpTable[];
}

export const SCHEMA_FILE = join('db', 'schema.json');

/** Tables stryke keeps for itself, and the databases' own. */
export function isInternalTable(name: string): boolean {
  return /^(schema_migration|sqlite_|typeorm_|stryke_job)/.test(name);
}

/** The names of the app's tables: those of the connection's own database (or schema), without stryke's. */
export async function appTableNames(qr: QueryRunner, adapter: Adapter): Promise<string[]> {
  const sql = adapter === 'sqlite' ? "SELECT name AS n FROM sqlite_master WHERE type = 'table'"
    : adapter === 'postgres' ? "SELECT table_name AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
      : "SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'";
  const rows = (await qr.query(sql)) as { n: string }[];
  return rows.map((r) => String(r.n)).filter((n) => !isInternalTable(n)).sort();
}

/** The stryke type of a column as the database reports it. */
export function portableType(adapter: Adapter, c: TableColumn): Pick<DumpColumn, 'type' | 'sqlType' | 'limit' | 'precision' | 'scale' | 'values'> {
  const t = c.type.toLowerCase();
  if (c.enum?.length && (t === 'enum' || t === 'simple-enum' || t === 'varchar')) return { type: 'enum', values: [...c.enum] };
  switch (t) {
    case 'varchar': case 'character varying': return { type: 'string', limit: Number(c.length) || 255 };
    case 'text': case 'longtext': case 'mediumtext': return { type: 'text' };
    case 'integer': case 'int': case 'int4': return { type: 'integer' };
    case 'bigint': case 'int8': return { type: 'bigint' };
    case 'real': case 'double': case 'double precision': case 'float8': return { type: 'float' };
    case 'decimal': case 'numeric': return { type: 'decimal', precision: Number(c.precision ?? 10), scale: Number(c.scale ?? 0) };
    case 'boolean': case 'bool': return { type: 'boolean' };
    case 'tinyint': if (adapter === 'mysql') return { type: 'boolean' }; break;
    case 'date': return { type: 'date' };
    case 'datetime': case 'timestamp': case 'timestamptz': case 'timestamp with time zone': return { type: 'datetime' };
    case 'json': case 'jsonb': return { type: 'json' };
    case 'uuid': return { type: 'uuid' };
    case 'blob': case 'bytea': case 'longblob': return { type: 'binary' };
  }
  return { type: 'native', sqlType: c.length ? `${c.type}(${c.length})` : c.type };
}

/** A column default as the database reports it, back into a value (or `{ sql }` for an expression). */
export function portableDefault(type: DumpColumn['type'], raw: unknown): unknown {
  if (raw === undefined || raw === null) return undefined;
  let s = String(raw).trim();
  if (/^null$/i.test(s)) return undefined;
  s = s.replace(/::[a-z ]+(\[\])?$/i, ''); // PostgreSQL's casts: 'draft'::character varying
  const quoted = /^'((?:[^']|'')*)'$/.exec(s);
  if (quoted) return type === 'boolean' ? quoted[1] === '1' || quoted[1] === 'true' : type === 'integer' || type === 'bigint' || type === 'float' ? Number(quoted[1]) : quoted[1]!.replace(/''/g, "'");
  if (/^(true|false)$/i.test(s)) return s.toLowerCase() === 'true';
  if (/^-?\d+(\.\d+)?$/.test(s)) return type === 'boolean' ? s !== '0' : type === 'decimal' ? s.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') : Number(s);
  if (/^(now\(\)|current_timestamp(\(\d*\))?)$/i.test(s)) return { sql: 'CURRENT_TIMESTAMP' };
  return { sql: s };
}

const GENERATED_NAME = /^(UQ|IDX|REL)_[0-9a-f]{10,}$|^sqlite_autoindex_/;

function dumpTable(adapter: Adapter, t: Table): DumpTable {
  const uniqueCols = new Set<string>();
  const indexes = new Map<string, DumpIndex>();
  const all = [
    ...t.indices.map((i) => ({ name: i.name ?? '', columns: i.columnNames, unique: !!i.isUnique })),
    ...t.uniques.map((u) => ({ name: u.name ?? '', columns: u.columnNames, unique: true })),
  ];
  const fkNames = new Set(t.foreignKeys.map((f) => f.name));
  for (const i of all) {
    if (i.unique && i.columns.length === 1 && (GENERATED_NAME.test(i.name) || !i.name)) uniqueCols.add(i.columns[0]!);
    else if (!(adapter === 'mysql' && fkNames.has(i.name))) indexes.set(i.name, { name: i.name, columns: [...i.columns], unique: i.unique });
  }
  return {
    name: t.name,
    columns: t.columns.map((c) => {
      const type = portableType(adapter, c);
      const col: DumpColumn = { name: c.name, ...type, null: c.isNullable };
      const auto = c.isGenerated && c.generationStrategy === 'increment';
      const def = auto ? undefined : portableDefault(type.type, c.default);
      if (def !== undefined) col.default = def;
      if (c.isPrimary) col.primary = true;
      if (auto) col.autoIncrement = true;
      if ((c.isUnique || uniqueCols.has(c.name)) && !c.isPrimary) col.unique = true;
      return col;
    }),
    indexes: [...indexes.values()].sort((a, b) => a.name.localeCompare(b.name)),
    foreignKeys: t.foreignKeys.map((f) => ({
      name: f.name ?? '', columns: [...f.columnNames], table: f.referencedTableName, referencedColumns: [...f.referencedColumnNames],
      onDelete: f.onDelete ?? 'NO ACTION', onUpdate: f.onUpdate ?? 'NO ACTION',
    })).sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
  };
}

/** Reads the database's schema through TypeORM's schema reader. */
export async function dumpSchema(db: Database): Promise<SchemaDump> {
  const qr = (await schemaSource(db)).createQueryRunner();
  try {
    const names = await appTableNames(qr, db.dialect.adapter);
    const tables = names.length ? await qr.getTables(names) : [];
    const q = db.dialect.quote;
    const hasVersions = await qr.hasTable('schema_migrations');
    const versions = hasVersions ? (await qr.query(`SELECT ${q('version')} FROM ${q('schema_migrations')} ORDER BY ${q('version')}`)) as { version: string }[] : [];
    return {
      format: 'stryke-schema/1',
      migrations: versions.map((r) => String(r.version)),
      tables: tables.map((t) => dumpTable(db.dialect.adapter, t)).sort((a, b) => a.name.localeCompare(b.name)),
    };
  } finally {
    await qr.release();
  }
}

/** The dump as JSON with one line per column, index and foreign key, so that diffs of it read well. */
export function formatSchema(dump: SchemaDump): string {
  const one = (x: object) => `{ ${Object.entries(x).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
  const list = (items: object[], indent: string) => (items.length ? `[\n${items.map((i) => `${indent}  ${one(i)}`).join(',\n')}\n${indent}]` : '[]');
  const tables = dump.tables.map((t) => [
    '    {',
    `      "name": ${JSON.stringify(t.name)},`,
    `      "columns": ${list(t.columns, '      ')},`,
    `      "indexes": ${list(t.indexes, '      ')},`,
    `      "foreignKeys": ${list(t.foreignKeys, '      ')}`,
    '    }',
  ].join('\n'));
  return `{\n  "format": ${JSON.stringify(dump.format)},\n  "migrations": ${JSON.stringify(dump.migrations)},\n  "tables": [\n${tables.join(',\n')}\n  ]\n}\n`;
}

export function writeSchema(root: string, dump: SchemaDump): string {
  const file = join(root, SCHEMA_FILE);
  writeAtomically(file, formatSchema(dump));
  return file;
}

export function readSchema(root: string): SchemaDump {
  const file = join(root, SCHEMA_FILE);
  if (!existsSync(file)) throw MigrationErrors.SCHEMA_MISSING(SCHEMA_FILE);
  let dump: SchemaDump;
  try {
    dump = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw MigrationErrors.SCHEMA_BAD(SCHEMA_FILE, (err as Error).message);
  }
  if (dump?.format !== 'stryke-schema/1' || !Array.isArray(dump.tables)) throw MigrationErrors.SCHEMA_BAD(SCHEMA_FILE, 'it has no "format": "stryke-schema/1"');
  return dump;
}

function tableOf(adapter: Adapter, t: DumpTable, foreignKeys: DumpForeignKey[]): Table {
  const columns = t.columns.map((c) => {
    if (c.type === 'native') {
      return { name: c.name, type: c.sqlType!, isNullable: c.null, isPrimary: !!c.primary, isUnique: !!c.unique };
    }
    const o: ColumnOptions = { null: c.null, default: c.default, primary: c.primary, autoIncrement: c.autoIncrement, unique: c.unique };
    if (c.limit !== undefined && c.type === 'string') o.limit = c.limit;
    if (c.type === 'decimal') Object.assign(o, { precision: c.precision, scale: c.scale });
    if (c.values) o.values = c.values;
    return columnOptions(adapter, t.name, c.name, c.type, o);
  });
  return new Table({
    name: t.name, columns,
    indices: t.indexes.map((i) => new TableIndex({ name: i.name, columnNames: i.columns, isUnique: i.unique })),
    foreignKeys: foreignKeys.map((f) => fkOf(f)),
  });
}

function fkOf(f: DumpForeignKey): TableForeignKey {
  return new TableForeignKey({ name: f.name, columnNames: f.columns, referencedTableName: f.table, referencedColumnNames: f.referencedColumns, onDelete: f.onDelete, onUpdate: f.onUpdate });
}

/**
 * Builds the dumped schema in an empty database (tables, indexes, foreign keys) and marks its
 * migrations applied: one pass of CREATE statements instead of replaying every migration.
 */
export async function loadSchema(db: Database, dump: SchemaDump, label: string): Promise<void> {
  const { adapter } = db.dialect;
  const qr: QueryRunner = (await schemaSource(db)).createQueryRunner();
  await qr.connect();
  try {
    const existing = await appTableNames(qr, adapter);
    if (existing.length) throw MigrationErrors.SCHEMA_NOT_EMPTY(label, existing.join(', '));
    const transactional = adapter !== 'mysql';
    if (transactional) await qr.startTransaction();
    try {
      // Tables whose foreign keys point at tables made before them get them inline; the rest after.
      const made = new Set<string>();
      const later: [string, DumpForeignKey][] = [];
      for (const t of dump.tables) {
        const inline = t.foreignKeys.filter((f) => made.has(f.table) || f.table === t.name);
        for (const f of t.foreignKeys) if (!inline.includes(f)) later.push([t.name, f]);
        await qr.createTable(tableOf(adapter, t, inline), false, true, true);
        made.add(t.name);
      }
      for (const [table, f] of later) await qr.createForeignKey(table, fkOf(f));
      const q = db.dialect.quote;
      await qr.query(`CREATE TABLE IF NOT EXISTS ${q('schema_migrations')} (${q('version')} varchar(255) NOT NULL PRIMARY KEY)`);
      for (const v of dump.migrations) {
        await qr.query(`INSERT INTO ${q('schema_migrations')} (${q('version')}) VALUES (${db.dialect.placeholder(1)})`, [v]);
      }
      if (transactional) await qr.commitTransaction();
    } catch (err) {
      if (transactional && qr.isTransactionActive) await qr.rollbackTransaction().catch(() => {});
      throw err;
    }
  } finally {
    await qr.release();
  }
}
