import { sep } from 'node:path';
import type { QueryRunner } from 'typeorm';
import { Table } from 'typeorm/schema-builder/table/Table';
import { TableColumn } from 'typeorm/schema-builder/table/TableColumn';
import { TableForeignKey } from 'typeorm/schema-builder/table/TableForeignKey';
import { TableIndex } from 'typeorm/schema-builder/table/TableIndex';
import type { Adapter } from '../orm';
import { pluralize, singularize } from '../support';
import { MigrationErrors } from './errors';
import { ACTIONS, columnOptions, foreignKeyName, indexName, TableBuilder, type ReferenceOptions, type ReferentialAction } from './table';
import { changeColumnType, freshTable, forgetTables } from './alter';
import { checkOptions, type ColumnOptions, type ColumnType } from './types';

export { TableBuilder, type ReferenceOptions } from './table';

export interface IndexOptions {
  unique?: boolean;
  name?: string;
}

export interface CreateTableOptions {
  /** false for no primary key column; 'bigint' for a bigint one. Default: an auto-increment integer `id`. */
  id?: boolean | 'bigint';
  /** The primary key column's name (default `id`). */
  primaryKey?: string;
}

export interface ForeignKeyOptions {
  /** The column on this table (default: `<singular of to>Id`). */
  column?: string;
  /** The referenced column (default `id`). */
  primaryKey?: string;
  /** Default `fk_<table>_<column>`. */
  name?: string;
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
}

export interface ChangeColumnOptions extends ColumnOptions {
  /** The column as it was (`{ type: 'string', limit: 200 }`): makes changeColumn reversible inside change(). */
  from?: ColumnOptions & { type: ColumnType };
}

export interface Op {
  describe: string;
  /** Where the migration called it: `/abs/db/migrations/x.ts:12`, when known. */
  site?: string;
  /** Drops a table or column, or narrows one: data can be lost. */
  destructive?: boolean;
  up(qr: QueryRunner): Promise<void>;
  down?: (qr: QueryRunner) => Promise<void>;
}

const frameworkDir = __dirname.slice(0, __dirname.lastIndexOf(sep));

/** The first stack frame outside the framework: the migration's own line. */
function callSite(): string | undefined {
  for (const line of (new Error().stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:\/|[A-Za-z]:\\)[^():]+):(\d+):\d+\)?$/.exec(line.trim());
    if (m && !m[1]!.startsWith(frameworkDir) && !m[1]!.includes(`${sep}node_modules${sep}`)) return `${m[1]}:${m[2]}`;
  }
  return undefined;
}

const FK_OPTIONS = ['column', 'primaryKey', 'name', 'onDelete', 'onUpdate'] as const;

function checkAction(value: string | undefined, where: string): void {
  if (value !== undefined && !ACTIONS.includes(value as ReferentialAction)) {
    throw MigrationErrors.BAD_OPTION(where, `onDelete/onUpdate is one of ${ACTIONS.join(', ')}, not ${JSON.stringify(value)}`);
  }
}

/**
 * What a migration's `change`, `up` and `down` receive. Each call records an operation with its
 * inverse, so `change` migrations roll back by replaying the inverses in reverse order. Every
 * operation runs through TypeORM's query runner, which writes each database's own DDL.
 */
export class Schema {
  readonly ops: Op[] = [];
  constructor(readonly adapter: Adapter) {}

  private record(op: Op): void {
    this.ops.push({ ...op, site: callSite() });
  }

  /** The Table `createTable` builds, for `createTable` and the inverse of `dropTable`. */
  tableFor(name: string, build: (t: TableBuilder) => void, options: CreateTableOptions = {}): Table {
    checkOptions(options, ['id', 'primaryKey'], `createTable(${name})`);
    const t = new TableBuilder(this.adapter, name);
    if (options.id !== false) {
      t.column(options.primaryKey ?? 'id', options.id === 'bigint' ? 'bigint' : 'integer', { primary: true, autoIncrement: true, null: false });
    }
    build(t);
    return new Table({ name, columns: t.columns, indices: t.indices, foreignKeys: t.foreignKeys });
  }

  createTable(name: string, build: (t: TableBuilder) => void, options: CreateTableOptions = {}): void {
    const table = this.tableFor(name, build, options);
    this.record({
      describe: `createTable(${name})`,
      up: (qr) => qr.createTable(table, false, true, true),
      down: (qr) => qr.dropTable(name, false, true, true),
    });
  }

  /** Drops a table; reversible inside change() when given the block (and options) createTable had. */
  dropTable(name: string, build?: (t: TableBuilder) => void, options: CreateTableOptions = {}): void {
    const table = build ? this.tableFor(name, build, options) : undefined;
    this.record({
      describe: `dropTable(${name})`, destructive: true,
      up: (qr) => qr.dropTable(name, false, true, true),
      down: table ? (qr) => qr.createTable(table, false, true, true) : undefined,
    });
  }

  renameTable(from: string, to: string): void {
    this.record({
      describe: `renameTable(${from}, ${to})`,
      up: async (qr) => { await qr.renameTable(from, to); await forgetTables(qr); },
      down: async (qr) => { await qr.renameTable(to, from); await forgetTables(qr); },
    });
  }

  addColumn(table: string, name: string, type: ColumnType, options: ColumnOptions = {}): void {
    const col = columnOptions(this.adapter, table, name, type, options);
    this.record({
      describe: `addColumn(${table}, ${name})`,
      up: (qr) => qr.addColumn(table, new TableColumn(col)),
      down: (qr) => qr.dropColumn(table, name),
    });
  }

  /** Removes a column; reversible inside change() when given its type (and options). */
  removeColumn(table: string, name: string, type?: ColumnType, options: ColumnOptions = {}): void {
    const col = type ? columnOptions(this.adapter, table, name, type, options) : undefined;
    this.record({
      describe: `removeColumn(${table}, ${name})`, destructive: true,
      up: (qr) => qr.dropColumn(table, name),
      down: col ? (qr) => qr.addColumn(table, new TableColumn(col)) : undefined,
    });
  }

  /** Renames a column, keeping its data (reversible). */
  renameColumn(table: string, from: string, to: string): void {
    this.record({
      describe: `renameColumn(${table}, ${from}, ${to})`,
      up: async (qr) => { await qr.renameColumn(table, from, to); await forgetTables(qr); },
      down: async (qr) => { await qr.renameColumn(table, to, from); await forgetTables(qr); },
    });
  }

  /**
   * Changes a column's type and options in place, converting its data. Reversible inside change() only
   * when given `from` (the column as it was).
   */
  changeColumn(table: string, name: string, type: ColumnType, options: ChangeColumnOptions = {}): void {
    const { from, ...rest } = options;
    const col = columnOptions(this.adapter, table, name, type, rest);
    let back: ReturnType<typeof columnOptions> | undefined;
    if (from) {
      if (typeof from !== 'object' || !from.type) throw MigrationErrors.BAD_OPTION(`changeColumn(${table}, ${name})`, "from is the column as it was, with its type: { type: 'string', limit: 200 }");
      const { type: fromType, ...fromOptions } = from;
      back = columnOptions(this.adapter, table, name, fromType, fromOptions);
    }
    const adapter = this.adapter;
    this.record({
      describe: `changeColumn(${table}, ${name})`,
      up: (qr) => changeColumnType(qr, adapter, table, name, new TableColumn(col)),
      down: back ? (qr) => changeColumnType(qr, adapter, table, name, new TableColumn(back!)) : undefined,
    });
  }

  addIndex(table: string, columns: string | string[], options: IndexOptions = {}): void {
    checkOptions(options, ['unique', 'name'], `addIndex(${table})`);
    const cols = Array.isArray(columns) ? columns : [columns];
    const name = options.name ?? indexName(table, cols);
    this.record({
      describe: `addIndex(${table}, ${cols.join(', ')})`,
      up: (qr) => qr.createIndex(table, new TableIndex({ name, columnNames: cols, isUnique: !!options.unique })),
      down: (qr) => qr.dropIndex(table, name),
    });
  }

  removeIndex(table: string, columns: string | string[], options: IndexOptions = {}): void {
    checkOptions(options, ['unique', 'name'], `removeIndex(${table})`);
    const cols = Array.isArray(columns) ? columns : [columns];
    const name = options.name ?? indexName(table, cols);
    this.record({
      describe: `removeIndex(${table}, ${cols.join(', ')})`,
      up: (qr) => qr.dropIndex(table, name),
      down: (qr) => qr.createIndex(table, new TableIndex({ name, columnNames: cols, isUnique: !!options.unique })),
    });
  }

  /** A foreign key from `table.<column>` to `to(id)` (reversible). */
  addForeignKey(table: string, to: string, options: ForeignKeyOptions = {}): void {
    checkOptions(options, FK_OPTIONS, `addForeignKey(${table}, ${to})`);
    checkAction(options.onDelete, `addForeignKey(${table}, ${to})`);
    checkAction(options.onUpdate, `addForeignKey(${table}, ${to})`);
    const fk = this.foreignKey(table, to, options);
    this.record({
      describe: `addForeignKey(${table}, ${to})`,
      up: (qr) => qr.createForeignKey(table, fk),
      down: (qr) => dropForeignKey(qr, table, fk.name!, fk.columnNames),
    });
  }

  /** Removes a foreign key; reversible inside change() when given the table it points to. */
  removeForeignKey(table: string, to?: string, options: ForeignKeyOptions = {}): void {
    checkOptions(options, FK_OPTIONS, `removeForeignKey(${table})`);
    if (!to && !options.column && !options.name) throw MigrationErrors.BAD_OPTION(`removeForeignKey(${table})`, 'name the table it points to, or give { column } or { name }');
    const fk = to ? this.foreignKey(table, to, options) : undefined;
    const name = options.name ?? fk?.name ?? foreignKeyName(table, [options.column!]);
    const columns = fk?.columnNames ?? (options.column ? [options.column] : []);
    this.record({
      describe: `removeForeignKey(${table}${to ? `, ${to}` : ''})`,
      up: (qr) => dropForeignKey(qr, table, name, columns),
      down: fk ? (qr) => qr.createForeignKey(table, fk) : undefined,
    });
  }

  private foreignKey(table: string, to: string, options: ForeignKeyOptions): TableForeignKey {
    const column = options.column ?? `${singularize(to)}Id`;
    return new TableForeignKey({
      name: options.name ?? foreignKeyName(table, [column]), columnNames: [column], referencedTableName: to,
      referencedColumnNames: [options.primaryKey ?? 'id'], onDelete: options.onDelete ?? 'NO ACTION', onUpdate: options.onUpdate ?? 'NO ACTION',
    });
  }

  /** `<name>Id`, its index and its foreign key on an existing table, as `t.references` in createTable. */
  addReference(table: string, name: string, options: ReferenceOptions = {}): void {
    checkOptions(options, ['foreignKey', 'index', 'onDelete', 'onUpdate', 'null', 'type'], `addReference(${table}, ${name})`);
    const column = `${name}Id`;
    this.addColumn(table, column, options.type ?? 'integer', { null: options.null ?? true });
    if (options.index !== false) this.addIndex(table, [column]);
    if (options.foreignKey !== false) {
      const to = typeof options.foreignKey === 'string' ? options.foreignKey : pluralize(name);
      this.addForeignKey(table, to, { column, onDelete: options.onDelete, onUpdate: options.onUpdate });
    }
  }

  /** `createdAt` and `updatedAt` on an existing table. */
  addTimestamps(table: string, options: { null?: boolean } = {}): void {
    this.addColumn(table, 'createdAt', 'datetime', { null: options.null ?? true });
    this.addColumn(table, 'updatedAt', 'datetime', { null: options.null ?? true });
  }

  /**
   * Raw SQL, for what the DSL does not cover. Inside change() it is irreversible unless given
   * `{ down: 'SQL that undoes it' }`.
   */
  execute(sql: string, options: { down?: string } = {}): void {
    checkOptions(options, ['down'], 'execute');
    const run = (text: string) => async (qr: QueryRunner) => {
      await qr.query(text);
      await forgetTables(qr); // raw SQL may have changed a table TypeORM has cached
    };
    this.record({
      describe: `execute(${sql.replace(/\s+/g, ' ').trim().slice(0, 40)})`,
      up: run(sql),
      down: options.down !== undefined ? run(options.down) : undefined,
    });
  }
}

/** Drops a foreign key found by name, else by its columns (SQLite does not keep constraint names everywhere). */
async function dropForeignKey(qr: QueryRunner, table: string, name: string, columns: string[]): Promise<void> {
  const t = await freshTable(qr, table);
  const fk = t.foreignKeys.find((f) => f.name === name)
    ?? t.foreignKeys.find((f) => columns.length > 0 && f.columnNames.join() === columns.join());
  if (!fk) throw MigrationErrors.NO_FOREIGN_KEY(table, name);
  await qr.dropForeignKey(t, fk);
  await forgetTables(qr);
}

export interface MigrationDefinition {
  change?(m: Schema): void;
  up?(m: Schema): void;
  down?(m: Schema): void;
}

export interface Migration extends MigrationDefinition {
  readonly name: string;
  readonly __strykeMigration: true;
}

export { migration } from './define';

/** The operations to apply for `direction`, in order. */
export function plan(migrationName: string, def: MigrationDefinition, adapter: Adapter, direction: 'up' | 'down'): Op[] {
  const schema = new Schema(adapter);
  if (direction === 'up') {
    if (def.up) def.up(schema);
    else def.change?.(schema);
    return schema.ops;
  }
  if (def.down) {
    def.down(schema);
    return schema.ops;
  }
  def.change?.(schema);
  const reversed = [...schema.ops].reverse();
  for (const op of reversed) if (!op.down) throw MigrationErrors.IRREVERSIBLE(migrationName, op.describe);
  return reversed.map((op) => ({ describe: `revert ${op.describe}`, site: op.site, up: op.down! }));
}
