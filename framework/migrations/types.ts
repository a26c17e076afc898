import type { Adapter } from '../orm/dialect';
import { MigrationErrors } from './errors';

export const COLUMN_TYPES = ['string', 'text', 'integer', 'bigint', 'float', 'decimal', 'boolean', 'date', 'datetime', 'timestamp', 'json', 'uuid', 'binary'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColumnOptions {
  null?: boolean;
  default?: unknown;
  limit?: number;
  precision?: number;
  scale?: number;
  unique?: boolean;
  primary?: boolean;
  autoIncrement?: boolean;
}

/** The database type, and its length or precision, for one of stryke's column types. */
export function sqlType(adapter: Adapter, type: string, o: ColumnOptions, where: string): { type: string; length?: string; precision?: number; scale?: number } {
  switch (type) {
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
    default: {
      const [table, column] = where.split('.');
      throw MigrationErrors.UNKNOWN_TYPE(type, table, column, COLUMN_TYPES.join(', '));
    }
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
