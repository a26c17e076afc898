import { TableForeignKey } from 'typeorm/schema-builder/table/TableForeignKey';
import { TableIndex } from 'typeorm/schema-builder/table/TableIndex';
import type { TableColumnOptions } from 'typeorm/schema-builder/options/TableColumnOptions';
import type { Adapter } from '../orm';
import { pluralize } from '../support';
import { checkOptions, defaultLiteral, sqlType, type ColumnOptions, type ColumnType } from './types';

export type ReferentialAction = 'CASCADE' | 'SET NULL' | 'RESTRICT' | 'NO ACTION';

export interface ReferenceOptions {
  /** The referenced table (default: the plural of the name), or false for no foreign key constraint. */
  foreignKey?: string | boolean;
  /** false for no index on the column. */
  index?: boolean;
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
  /** NULL allowed (default false). */
  null?: boolean;
  /** The column's type: integer (default) or bigint. */
  type?: 'integer' | 'bigint';
}

export const REFERENCE_OPTIONS = ['foreignKey', 'index', 'onDelete', 'onUpdate', 'null', 'type'] as const;
export const ACTIONS: readonly ReferentialAction[] = ['CASCADE', 'SET NULL', 'RESTRICT', 'NO ACTION'];

/** TypeORM's description of one column, from stryke's type and options. */
export function columnOptions(adapter: Adapter, table: string, name: string, type: string, o: ColumnOptions = {}): TableColumnOptions {
  const t = sqlType(adapter, type, o, `${table}.${name}`);
  return {
    name, type: t.type, length: t.length, precision: t.precision, scale: t.scale, enum: t.enum,
    isNullable: o.null ?? !o.primary, default: defaultLiteral(adapter, o.default), isUnique: o.unique ?? false,
    isPrimary: o.primary ?? false,
    ...(o.autoIncrement ? { isGenerated: true, generationStrategy: 'increment' as const } : {}),
  };
}

/** The index name stryke gives (as Rails): `index_posts_on_authorId_and_createdAt`. */
export function indexName(table: string, columns: string[]): string {
  return `index_${table}_on_${columns.join('_and_')}`;
}

/** The foreign key name stryke gives: `fk_comments_postId`. */
export function foreignKeyName(table: string, columns: string[]): string {
  return `fk_${table}_${columns.join('_')}`;
}

/** The columns, indexes and foreign keys of one `createTable` block. */
export class TableBuilder {
  readonly columns: TableColumnOptions[] = [];
  readonly indices: TableIndex[] = [];
  readonly foreignKeys: TableForeignKey[] = [];

  constructor(private readonly adapter: Adapter, readonly table: string) {}

  column(name: string, type: ColumnType, options: ColumnOptions = {}): this {
    this.columns.push(columnOptions(this.adapter, this.table, name, type, options));
    return this;
  }

  string(name: string, o?: ColumnOptions) { return this.column(name, 'string', o); }
  text(name: string, o?: ColumnOptions) { return this.column(name, 'text', o); }
  integer(name: string, o?: ColumnOptions) { return this.column(name, 'integer', o); }
  bigint(name: string, o?: ColumnOptions) { return this.column(name, 'bigint', o); }
  float(name: string, o?: ColumnOptions) { return this.column(name, 'float', o); }
  /** `t.decimal('price', { precision: 10, scale: 2 })` */
  decimal(name: string, o?: ColumnOptions) { return this.column(name, 'decimal', o); }
  boolean(name: string, o?: ColumnOptions) { return this.column(name, 'boolean', o); }
  date(name: string, o?: ColumnOptions) { return this.column(name, 'date', o); }
  datetime(name: string, o?: ColumnOptions) { return this.column(name, 'datetime', o); }
  timestamp(name: string, o?: ColumnOptions) { return this.column(name, 'timestamp', o); }
  json(name: string, o?: ColumnOptions) { return this.column(name, 'json', o); }
  uuid(name: string, o?: ColumnOptions) { return this.column(name, 'uuid', o); }
  binary(name: string, o?: ColumnOptions) { return this.column(name, 'binary', o); }
  /** `t.enum('status', { values: ['draft', 'published'], default: 'draft' })` */
  enum(name: string, o: ColumnOptions) { return this.column(name, 'enum', o); }

  /** `createdAt` and `updatedAt`, both NOT NULL. */
  timestamps(): this {
    this.datetime('createdAt', { null: false });
    return this.datetime('updatedAt', { null: false });
  }

  /** An index on this table (created with it). */
  index(columns: string | string[], options: { unique?: boolean; name?: string } = {}): this {
    checkOptions(options, ['unique', 'name'], `t.index(${this.table})`);
    const cols = Array.isArray(columns) ? columns : [columns];
    this.indices.push(new TableIndex({ name: options.name ?? indexName(this.table, cols), columnNames: cols, isUnique: !!options.unique }));
    return this;
  }

  /** `<name>Id` integer column, indexed, with a foreign key to `<plural name>(id)` unless `foreignKey: false`. */
  references(name: string, options: ReferenceOptions = {}): this {
    checkOptions(options, REFERENCE_OPTIONS, `${this.table}.references(${name})`);
    const column = `${name}Id`;
    this.column(column, options.type ?? 'integer', { null: options.null ?? false });
    if (options.index !== false) this.index([column]);
    if (options.foreignKey !== false) {
      const target = typeof options.foreignKey === 'string' ? options.foreignKey : pluralize(name);
      this.foreignKeys.push(new TableForeignKey({
        name: foreignKeyName(this.table, [column]), columnNames: [column], referencedTableName: target,
        referencedColumnNames: ['id'], onDelete: options.onDelete ?? 'NO ACTION', onUpdate: options.onUpdate ?? 'NO ACTION',
      }));
    }
    return this;
  }

  /** Alias of references, as Rails. */
  belongsTo(name: string, options: ReferenceOptions = {}): this {
    return this.references(name, options);
  }
}
