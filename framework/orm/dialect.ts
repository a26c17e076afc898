import type { FieldDecl } from '../registry';
import { DbErrors, type Adapter } from '../db';

export type { Adapter };

/**
 * What differs between databases for the SQL stryke writes: identifier quoting, placeholders, how an
 * insert hands back its row, and how values cross the driver boundary in each direction.
 */
export interface Dialect {
  adapter: Adapter;
  quote(identifier: string): string;
  /** The placeholder for the n-th (1-based) bound value. */
  placeholder(n: number): string;
  /** Whether `INSERT ... RETURNING *` gives back the row (otherwise the driver's insertId is used). */
  returning: boolean;
  /** The LIMIT clause an OFFSET without a limit needs (SQLite and MySQL have no OFFSET alone). */
  noLimit: string;
  toDb(value: unknown, field: FieldDecl | undefined): unknown;
  fromDb(value: unknown, field: FieldDecl): unknown;
  /**
   * The conversion a column's raw value needs when read, or null when the driver's value is already
   * the field's (hydration then copies it as is). Built once per field when a model is bound.
   */
  reader(field: FieldDecl): ((value: unknown) => unknown) | null;
  /** `FOR UPDATE`, or '' where the database locks otherwise (SQLite locks the whole file in a transaction). */
  forUpdate: string;
}

function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  // SQLite keeps datetimes as text; text without a zone was written as UTC.
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
}

/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (how stryke writes SQLite datetimes) read by hand: the digits by char code and
 * the day number by civil-calendar arithmetic (no `Date.UTC` call), about three times as fast as the Date
 * parser. Anything else, or a value out of range, goes through `toDate`, so it reads as `new Date` would.
 */
function parseIso(v: string): Date {
  if (v.length !== 24 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58
    || v.charCodeAt(16) !== 58 || v.charCodeAt(19) !== 46 || v.charCodeAt(23) !== 90) return toDate(v)!;
  const d = (i: number) => v.charCodeAt(i) - 48;
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const h = d(11) * 10 + d(12);
  const min = d(14) * 10 + d(15);
  const sec = d(17) * 10 + d(18);
  const ms = d(20) * 100 + d(21) * 10 + d(22);
  // Years 0-99 are left to toDate (Date.UTC would read them as 1900-1999), and so is anything not a digit.
  if (!(year >= 100 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && h >= 0 && h <= 23
    && min >= 0 && min <= 59 && sec >= 0 && sec <= 59 && ms >= 0 && ms <= 999)) return toDate(v)!;
  // Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years, March-based years).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  return new Date(((days * 24 + h) * 60 + min) * 60000 + sec * 1000 + ms);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * A DATE column's value as `YYYY-MM-DD`. node-postgres reads DATE as local midnight; mysql2 (with
 * `timezone: 'Z'`) as UTC midnight: each is read back in the zone it was made in, so the day never shifts.
 */
function dateOnly(value: unknown, local: boolean): string {
  if (!(value instanceof Date)) return String(value).slice(0, 10);
  return local
    ? `${pad(value.getFullYear(), 4)}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`
    : value.toISOString().slice(0, 10);
}

/** Values written to the database: the conversions all three share. */
function commonToDb(value: unknown, field: FieldDecl | undefined): unknown {
  if (value === undefined) return null;
  if (value === null) return null;
  if (field?.type === 'json') return JSON.stringify(value);
  if (field?.type === 'date' && value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function decimalString(value: unknown, field: FieldDecl): string {
  if (typeof value === 'number' && field.scale !== undefined) return value.toFixed(field.scale);
  return String(value);
}

/**
 * `parsedJson`: the driver hands json columns over parsed (node-postgres for json and jsonb): its value is the
 * field's as is, a string included (a JSON string scalar). Elsewhere a json column arrives as its JSON text
 * (SQLite's TEXT; mysql2 runs with `jsonStrings`), parsed here once.
 */
function commonFromDb(value: unknown, field: FieldDecl, localDates = false, parsedJson = false): unknown {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'boolean': return value === true || value === 1 || value === '1' || value === 't' || value === 'true';
    case 'integer': case 'float': return typeof value === 'number' ? value : Number(value);
    case 'bigint': return typeof value === 'bigint' ? value : BigInt(typeof value === 'number' ? Math.trunc(value) : (value as string));
    case 'decimal': return decimalString(value, field);
    case 'datetime': return toDate(value);
    case 'date': return dateOnly(value, localDates);
    case 'json': return typeof value === 'string' && !parsedJson ? JSON.parse(value) : value;
    default: return value;
  }
}

/** Readers for the types every driver returns as-is except where noted. */
function readerFor(field: FieldDecl, localDates: boolean, native: { boolean: boolean; json: boolean }): ((value: unknown) => unknown) | null {
  const from = (v: unknown) => commonFromDb(v, field, localDates, native.json);
  switch (field.type) {
    case 'string': case 'text': case 'uuid': return null;
    case 'enum': return field.values?.every((v) => typeof v === 'number') ? (v) => (v === null ? null : Number(v)) : null;
    case 'integer': case 'float': return (v) => (typeof v === 'number' ? v : v === null || v === undefined ? null : Number(v));
    case 'boolean': return native.boolean ? null : (v) => v === 1 || v === true || v === '1' || v === 't' || v === 'true' || (typeof v === 'bigint' && v === 1n);
    // ISO text with a zone (how stryke writes SQLite datetimes) parses directly; anything else goes the long way.
    case 'datetime': return (v) => (v instanceof Date ? v : typeof v === 'string' ? parseIso(v) : toDate(v));
    // A driver that parses json itself (node-postgres) hands over the value, a string being a JSON string
    // scalar, and an object the row keeps too: a copy keeps in-place changes visible to dirty tracking.
    // Elsewhere the column's JSON text is parsed once.
    case 'json': return native.json
      ? (v) => (v === null || v === undefined ? null : typeof v === 'object' ? structuredClone(v) : v)
      : (v) => (v === null || v === undefined ? null : typeof v === 'string' ? JSON.parse(v) : structuredClone(v));
    default: return from;
  }
}

const sqlite: Dialect = {
  adapter: 'sqlite',
  quote: (id) => `"${id.replace(/"/g, '""')}"`,
  placeholder: () => '?',
  returning: true,
  noLimit: ' LIMIT -1',
  toDb(value, field) {
    if (field?.type === 'json') return commonToDb(value, field);
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'bigint') return value;
    if (value instanceof Date && field?.type !== 'date') return value.toISOString();
    return commonToDb(value, field);
  },
  fromDb: (value, field) => commonFromDb(value, field),
  reader: (field) => readerFor(field, false, { boolean: false, json: false }),
  forUpdate: '',
};

const postgres: Dialect = {
  adapter: 'postgres',
  quote: (id) => `"${id.replace(/"/g, '""')}"`,
  placeholder: (n) => `$${n}`,
  returning: true,
  noLimit: '',
  toDb: commonToDb,
  fromDb: (value, field) => commonFromDb(value, field, true, true),
  reader: (field) => readerFor(field, true, { boolean: true, json: true }),
  forUpdate: ' FOR UPDATE',
};

const mysql: Dialect = {
  adapter: 'mysql',
  quote: (id) => `\`${id.replace(/`/g, '``')}\``,
  placeholder: () => '?',
  returning: false,
  noLimit: ' LIMIT 18446744073709551615',
  toDb: commonToDb,
  fromDb: (value, field) => commonFromDb(value, field),
  reader: (field) => readerFor(field, false, { boolean: false, json: false }),
  forUpdate: ' FOR UPDATE',
};

export function dialectFor(adapter: string): Dialect {
  switch (adapter) {
    case 'sqlite': return sqlite;
    case 'postgres': return postgres;
    case 'mysql': return mysql;
    default: throw DbErrors.UNSUPPORTED_ADAPTER(adapter);
  }
}
