import type { Adapter } from '../orm';
import { nearest } from '../support';
import { MigrationErrors } from './errors';

export const COLUMN_TYPES = [
  'string', 'text', 'integer', 'bigint', 'float', 'decimal', 'boolean', 'date', 'datetime', 'timestamp', 'json', 'uuid', 'binary', 'enum',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColumnOptions {
  /** false for NOT NULL (columns are nullable by default). */
  null?: boolean;
  /** A value, or raw SQL as `{ sql: 'CURRENT_TIMESTAMP' }`. */
  default?: unknown;
  /** `string`: its length (default 255). */
  limit?: number;
  /** `decimal`: digits in all (default 10). */
  precision?: number;
  /** `decimal`: digits after the point (default 0). */
  scale?: number;
  unique?: boolean;
  primary?: boolean;
  autoIncrement?: boolean;
  /** `enum`: the allowed values. */
  values?: readonly string[];
}

export const COLUMN_OPTIONS = ['null', 'default', 'limit', 'precision', 'scale', 'unique', 'primary', 'autoIncrement', 'values'] as const;

/** ` Did you mean "x"?` when `input` is a likely typo of one of `choices`, else ''. */
export function didYouMean(input: string, choices: readonly string[]): string {
  const guess = nearest(input, choices);
  return guess ? ` Did you mean "${guess}"?` : '';
}

/**
 * Refuses an option object with a key outside `allowed`, naming the call and the nearest valid key.
 * `where` is what the options are for: `posts.title`, `addIndex(posts)`.
 */
export function checkOptions(options: object | undefined, allowed: readonly string[], where: string): void {
  if (!options) return;
  if (typeof options !== 'object' || Array.isArray(options)) throw MigrationErrors.BAD_OPTION(where, `options must be an object, not ${JSON.stringify(options)}`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw MigrationErrors.UNKNOWN_OPTION(key, where, didYouMean(key, allowed), allowed.join(', '));
  }
}

function positiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** Checks the options a column of `type` takes, and that their values make sense. */
export function checkColumn(type: string, o: ColumnOptions, where: string): void {
  checkOptions(o, COLUMN_OPTIONS, where);
  if (!(COLUMN_TYPES as readonly string[]).includes(type)) {
    const [table, column] = splitWhere(where);
    throw MigrationErrors.UNKNOWN_TYPE(type, table, column, didYouMean(type, COLUMN_TYPES), COLUMN_TYPES.join(', '));
  }
  if (o.limit !== undefined && (!positiveInteger(o.limit) || type !== 'string')) {
    throw MigrationErrors.BAD_OPTION(where, type !== 'string' ? `limit applies to string columns only, not ${type}` : `limit must be a positive integer, not ${JSON.stringify(o.limit)}`);
  }
  if (o.precision !== undefined || o.scale !== undefined) {
    if (type !== 'decimal') throw MigrationErrors.BAD_OPTION(where, `precision and scale apply to decimal columns only, not ${type}`);
    const p = o.precision ?? 10;
    const s = o.scale ?? 0;
    if (!positiveInteger(p) || p > 65) throw MigrationErrors.BAD_OPTION(where, `precision must be an integer from 1 to 65, not ${JSON.stringify(o.precision)}`);
    if (!Number.isInteger(s) || s < 0 || s > p) throw MigrationErrors.BAD_OPTION(where, `scale must be an integer from 0 to the precision (${p}), not ${JSON.stringify(o.scale)}`);
  }
  if (type === 'enum') {
    const v = o.values;
    if (!Array.isArray(v) || !v.length || v.some((x) => typeof x !== 'string' || !x)) {
      throw MigrationErrors.BAD_OPTION(where, "an enum needs its values: { values: ['draft', 'published'] }");
    }
    if (o.default !== undefined && o.default !== null && !v.includes(o.default as string)) {
      throw MigrationErrors.BAD_OPTION(where, `the default ${JSON.stringify(o.default)} is not one of the values (${v.join(', ')})`);
    }
  } else if (o.values !== undefined) {
    throw MigrationErrors.BAD_OPTION(where, `values apply to enum columns only, not ${type}`);
  }
}

function splitWhere(where: string): [string, string] {
  const i = where.indexOf('.');
  return i < 0 ? [where, '?'] : [where.slice(0, i), where.slice(i + 1)];
}

export interface SqlType {
  type: string;
  length?: string;
  precision?: number;
  scale?: number;
  enum?: string[];
}

/** The database type, and its length or precision, for one of stryke's column types. */
export function sqlType(adapter: Adapter, type: string, o: ColumnOptions, where: string): SqlType {
  checkColumn(type, o, where);
  switch (type as ColumnType) {
    case 'string': return { type: 'varchar', length: String(o.limit ?? 255) };
    case 'text': return { type: adapter === 'mysql' ? 'longtext' : 'text' };
    case 'integer': return { type: adapter === 'mysql' ? 'int' : 'integer' };
    case 'bigint': return { type: 'bigint' };
    case 'float': return { type: adapter === 'postgres' ? 'double precision' : adapter === 'mysql' ? 'double' : 'real' };
    case 'decimal': return { type: 'decimal', precision: o.precision ?? 10, scale: o.scale ?? 0 };
    case 'boolean': return { type: adapter === 'mysql' ? 'tinyint' : 'boolean', length: adapter === 'mysql' ? '1' : undefined };
    case 'date': return { type: 'date' };
    case 'datetime':
    case 'timestamp':
      return adapter === 'postgres' ? { type: 'timestamptz' } : adapter === 'mysql' ? { type: 'datetime', precision: 3 } : { type: 'datetime' };
    case 'json': return { type: adapter === 'postgres' ? 'jsonb' : adapter === 'mysql' ? 'json' : 'text' };
    case 'uuid': return adapter === 'postgres' ? { type: 'uuid' } : { type: 'varchar', length: '36' };
    case 'binary': return { type: adapter === 'postgres' ? 'bytea' : adapter === 'mysql' ? 'longblob' : 'blob' };
    // SQLite has no enum: a varchar with a CHECK (value IN (...)) constraint, which TypeORM writes and reads back.
    case 'enum': return adapter === 'sqlite' ? { type: 'varchar', length: '255', enum: [...o.values!] } : { type: 'enum', enum: [...o.values!] };
  }
}

/** A default value written as the SQL literal TypeORM puts in the column definition. */
export function defaultLiteral(adapter: Adapter, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return adapter === 'postgres' ? String(value) : value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && 'sql' in value) return String((value as { sql: string }).sql);
  if (value && typeof value === 'object') return `'${JSON.stringify(value).replace(/'/g, "''")}'`;
  return `'${String(value).replace(/'/g, "''")}'`;
}
