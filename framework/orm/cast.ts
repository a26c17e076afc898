import type { FieldDecl } from '../registry';

const TRUE = new Set(['true', '1', 'on', 'yes', 't']);
const FALSE = new Set(['false', '0', 'off', 'no', 'f', '']);

/**
 * Casts a value assigned to a field to the field's type, before validation and the same on every database
 * (docs/models.md, "Assignment casts"). A form sends strings and a JSON client sends whatever it likes:
 * `"42"` -> 42 for an integer, `"true"`/`1` -> true for a boolean, `123456` -> `"123456"` and `true` ->
 * `"true"` for a string, an ISO string -> Date for a datetime. A value that does not cast is kept as given,
 * and `castErrors` (run by `isValid`) reports it, so it never reaches the database.
 */
export function castValue(value: unknown, field: FieldDecl): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') return castOther(value, field);
  switch (field.type) {
    case 'boolean': {
      const v = value.trim().toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return v === '' && field.nullable ? null : false;
      return value;
    }
    case 'integer':
    case 'float':
    case 'decimal': {
      if (value.trim() === '') return null;
      const n = Number(value);
      if (Number.isNaN(n)) return value;
      return field.type === 'integer' && !Number.isInteger(n) ? value : field.type === 'decimal' ? value.trim() : n;
    }
    case 'datetime': {
      if (value.trim() === '') return null;
      const d = new Date(value);
      return Number.isNaN(d.getTime()) ? value : d;
    }
    case 'json': {
      // A form can only send text: JSON text in a json field becomes the value it encodes.
      const t = value.trim();
      if (!/^[[{"]|^(true|false|null|-?\d)/.test(t)) return value;
      try {
        return JSON.parse(t);
      } catch {
        return value;
      }
    }
    default:
      return value;
  }
}

/** A value that is not a string (from JSON, or code): numbers and booleans become the field's type when they mean one. */
function castOther(value: unknown, field: FieldDecl): unknown {
  switch (field.type) {
    case 'string':
    case 'text':
    case 'uuid':
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
      return value;
    case 'enum':
      // An enum of strings takes the number's text (`1` -> `"1"`), one of numbers the number.
      if (typeof value === 'number' && field.values?.some((v) => typeof v === 'string')) return String(value);
      return value;
    case 'boolean':
      if (value === 1 || value === 0) return value === 1;
      return value;
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    default:
      return value;
  }
}

/** What a value of each type must be once cast, and the error when it is not (Rails' messages where Rails has one). */
const EXPECTED: Partial<Record<FieldDecl['type'], [(v: unknown) => boolean, string]>> = {
  string: [(v) => typeof v === 'string', 'must be text'],
  text: [(v) => typeof v === 'string', 'must be text'],
  uuid: [(v) => typeof v === 'string', 'must be text'],
  integer: [(v) => typeof v === 'number' && Number.isInteger(v), 'must be an integer'],
  bigint: [(v) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v)), 'must be an integer'],
  float: [(v) => typeof v === 'number' && Number.isFinite(v), 'is not a number'],
  decimal: [(v) => (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v !== '' && Number.isFinite(Number(v))), 'is not a number'],
  boolean: [(v) => typeof v === 'boolean', 'must be true or false'],
  datetime: [(v) => v instanceof Date && !Number.isNaN(v.getTime()), 'is not a valid date and time'],
  date: [(v) => (v instanceof Date && !Number.isNaN(v.getTime())) || (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)), 'is not a valid date'],
};

/** The length varchar columns get when a migration gives none (`t.string('title')`): a string field without a `limit` has it too. */
export const DEFAULT_STRING_LIMIT = 255;

/** Characters (code points, as the databases count them) in a string. */
function characters(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * The errors of the values that did not cast to their field's type, and of strings longer than their field's
 * limit (`limit`, else 255 for a string field), checked here so that no database sees them (SQLite would store
 * them, PostgreSQL and MariaDB would each fail in their own way). Null is left to `presence`.
 */
export function castErrors(record: Record<string, unknown>, fields: Iterable<FieldDecl>, add: (property: string, message: string) => void): void {
  for (const f of fields) {
    if (f.primary || f.timestamp) continue;
    const v = record[f.property];
    if (v === null || v === undefined) continue;
    const expected = EXPECTED[f.type];
    if (expected && !expected[0](v)) {
      add(f.property, expected[1]);
      continue;
    }
    if (f.type === 'string' && typeof v === 'string') {
      const limit = f.limit ?? DEFAULT_STRING_LIMIT;
      if (v.length > limit && characters(v) > limit) add(f.property, `is too long (maximum is ${limit} characters)`);
    }
  }
}
