import { Table, TableColumn, TableForeignKey, TableIndex, type QueryRunner } from 'typeorm';
import type { TableColumnOptions } from 'typeorm/schema-builder/options/TableColumnOptions';
import type { Adapter } from '../orm/dialect';
import { pluralize } from '../support/inflect';
import { MigrationErrors } from './errors';
import { defaultLiteral, sqlType, type ColumnOptions, type ColumnType } from './types';

export interface ReferenceOptions extends ColumnOptions {
  /** The referenced table (default: the plural of the name), or false for no foreign key constraint. */
  foreignKey?: string | boolean;
  index?: boolean;
  onDelete?: 'CASCADE' | 'SET NULL' | 'RESTRICT' | 'NO ACTION';
}

function columnOptions(adapter: Adapter, table: string, name: string, type: string, o: ColumnOptions): TableColumnOptions {
  const t = sqlType(adapter, type, o, `${table}.${name}`);
  return {
    name, type: t.type, length: t.length, precision: t.precision, scale: t.scale,
    isNullable: o.null ?? true, default: defaultLiteral(adapter, o.default), isUnique: o.unique ?? false,
    isPrimary: o.primary ?? false,
    ...(o.autoIncrement ? { isGenerated: true, generationStrategy: 'increment' as const } : {}),
  };
}

/** The columns, indexes and foreign keys of one `createTable` block. */
export class TableBuilder {
  readonly columns: TableColumnOptions[] = [];
  readonly indices: TableIndex[] = [];
  readonly foreignKeys: TableForeignKey[] = [];

  constructor(private readonly adapter: Adapter, readonly table: string) {}

  column(name: string, type: ColumnType, options: ColumnOptions = {}): this {
    this.columns.push(columnOptions(this.adapter, this.table, name, type, options));
    if (options.unique) this.columns[this.columns.length - 1]!.isUnique = true;
    return this;
  }

  string(name: string, o?: ColumnOptions) { return this.column(name, 'string', o); }
  text(name: string, o?: ColumnOptions) { return this.column(name, 'text', o); }
  integer(name: string, o?: ColumnOptions) { return this.column(name, 'integer', o); }
  bigint(name: string, o?: ColumnOptions) { return this.column(name, 'bigint', o); }
  float(name: string, o?: ColumnOptions) { return this.column(name, 'float', o); }
  decimal(name: string, o?: ColumnOptions) { return this.column(name, 'decimal', o); }
  boolean(name: string, o?: ColumnOptions) { return this.column(name, 'boolean', o); }
  date(name: string, o?: ColumnOptions) { return this.column(name, 'date', o); }
  datetime(name: string, o?: ColumnOptions) { return this.column(name, 'datetime', o); }
  timestamp(name: string, o?: ColumnOptions) { return this.column(name, 'timestamp', o); }
  json(name: string, o?: ColumnOptions) { return this.column(name, 'json', o); }
  uuid(name: string, o?: ColumnOptions) { return this.column(name, 'uuid', o); }
  binary(name: string, o?: ColumnOptions) { return this.column(name, 'binary', o); }

  /** `createdAt` and `updatedAt`, both NOT NULL. */
  timestamps(): this {
    this.datetime('createdAt', { null: false });
    return this.datetime('updatedAt', { null: false });
  }

  /** `<name>Id` integer column, indexed, with a foreign key to `<plural name>(id)` unless `foreignKey: false`. */
  references(name: string, options: ReferenceOptions = {}): this {
    const column = `${name}Id`;
    this.integer(column, { null: options.null ?? false });
    if (options.index !== false) this.indices.push(new TableIndex({ name: `index_${this.table}_on_${column}`, columnNames: [column] }));
    if (options.foreignKey !== false) {
      const target = typeof options.foreignKey === 'string' ? options.foreignKey : pluralize(name);
      this.foreignKeys.push(new TableForeignKey({
        name: `fk_${this.table}_${column}`, columnNames: [column], referencedTableName: target,
        referencedColumnNames: ['id'], onDelete: options.onDelete ?? 'NO ACTION',
      }));
    }
    return this;
  }
}

export interface IndexOptions {
  unique?: boolean;
  name?: string;
}

type Op = { describe: string; up(qr: QueryRunner): Promise<void>; down?: (qr: QueryRunner) => Promise<void> };

/**
 * What a migration's `change`, `up` and `down` receive. Each call records an operation with its
 * inverse, so `change` migrations roll back by replaying the inverses in reverse order.
 */
export class Schema {
  readonly ops: Op[] = [];
  constructor(readonly adapter: Adapter) {}

  createTable(name: string, build: (t: TableBuilder) => void, options: { id?: boolean } = {}): void {
    const t = new TableBuilder(this.adapter, name);
    if (options.id !== false) t.column('id', 'integer', { primary: true, autoIncrement: true, null: false });
    build(t);
    this.ops.push({
      describe: `createTable(${name})`,
      up: (qr) => qr.createTable(new Table({ name, columns: t.columns, indices: t.indices, foreignKeys: t.foreignKeys }), false, true, true),
      down: (qr) => qr.dropTable(name, false, true, true),
    });
  }

  /** Drops a table; reversible inside change() when given the same block createTable had. */
  dropTable(name: string, build?: (t: TableBuilder) => void): void {
    const inverse = new Schema(this.adapter);
    if (build) inverse.createTable(name, build);
    this.ops.push({
      describe: `dropTable(${name})`,
      up: (qr) => qr.dropTable(name, false, true, true),
      down: build ? (qr) => inverse.ops[0]!.up(qr) : undefined,
    });
  }

  addColumn(table: string, name: string, type: ColumnType, options: ColumnOptions = {}): void {
    const col = columnOptions(this.adapter, table, name, type, options);
    this.ops.push({
      describe: `addColumn(${table}, ${name})`,
      up: (qr) => qr.addColumn(table, new TableColumn(col)),
      down: (qr) => qr.dropColumn(table, name),
    });
  }

  /** Removes a column; reversible inside change() when given its type (and options). */
  removeColumn(table: string, name: string, type?: ColumnType, options: ColumnOptions = {}): void {
    const col = type ? columnOptions(this.adapter, table, name, type, options) : undefined;
    this.ops.push({
      describe: `removeColumn(${table}, ${name})`,
      up: (qr) => qr.dropColumn(table, name),
      down: col ? (qr) => qr.addColumn(table, new TableColumn(col)) : undefined,
    });
  }

  addIndex(table: string, columns: string | string[], options: IndexOptions = {}): void {
    const cols = Array.isArray(columns) ? columns : [columns];
    const name = options.name ?? `index_${table}_on_${cols.join('_and_')}`;
    this.ops.push({
      describe: `addIndex(${table}, ${cols.join(', ')})`,
      up: (qr) => qr.createIndex(table, new TableIndex({ name, columnNames: cols, isUnique: !!options.unique })),
      down: (qr) => qr.dropIndex(table, name),
    });
  }

  removeIndex(table: string, columns: string | string[], options: IndexOptions = {}): void {
    const cols = Array.isArray(columns) ? columns : [columns];
    const name = options.name ?? `index_${table}_on_${cols.join('_and_')}`;
    this.ops.push({
      describe: `removeIndex(${table}, ${cols.join(', ')})`,
      up: (qr) => qr.dropIndex(table, name),
      down: (qr) => qr.createIndex(table, new TableIndex({ name, columnNames: cols, isUnique: !!options.unique })),
    });
  }

  /** Raw SQL, for what the DSL does not cover. Irreversible inside change(). */
  execute(sql: string): void {
    this.ops.push({
      describe: `execute(${sql.slice(0, 40)})`,
      up: async (qr) => {
        await qr.query(sql);
        // TypeORM caches the tables it has read; raw SQL may have changed one, so read them afresh.
        (qr as unknown as { loadedTables: unknown[] }).loadedTables = [];
      },
    });
  }
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

/**
 * Declares a migration. Use `change` for reversible steps; `up` and `down` when a step has no inverse.
 * @example
 * export default migration('CreatePosts', {
 *   change(m) { m.createTable('posts', (t) => { t.string('title', { null: false }); t.timestamps(); }); },
 * });
 */
export function migration(name: string, definition: MigrationDefinition): Migration {
  return { name, ...definition, __strykeMigration: true };
}

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
  return reversed.map((op) => ({ describe: `revert ${op.describe}`, up: op.down! }));
}
