import type { FieldDecl } from '../registry';

/**
 * PostgreSQL rows as the model layer reads them: as arrays of the column values' text, straight from the
 * wire (node-postgres makes no object per row and runs no type parser per value), converted by a mapper
 * generated once per result layout (column names and types). For each column, the conversion is what the
 * driver's parser followed by the field's reader would give, composed once per layout; for the pairs seen
 * every day (int4 in an integer field, bool in a boolean one, timestamptz in a datetime one...) it is
 * done in one step:
 *
 * - timestamptz, timestamp: read by hand (digits by char code, the day number by civil-calendar
 *   arithmetic), several times as fast as the driver's regular expressions and `Date.UTC`. The instant
 *   is the driver's: an offset (`+00`, `+05:30`, `-04:56:02`) is applied; a timestamp without one is the
 *   process's local time, as the driver reads it; fractions are cut to the millisecond, not rounded.
 *   BC, infinity and anything else go to the driver's parser.
 * - date: `YYYY-MM-DD` is the date field's value as is.
 * - json, jsonb: parsed once, and that is the field's value (a JSON string scalar included).
 *
 * A type whose parser an app replaced in the driver (node-postgres's `types.setTypeParser`) keeps the
 * app's parser, followed by the field's reader, as on every other path.
 */

export type PgParser = (text: string) => unknown;

export const PG_OID = {
  bool: 16, int2: 21, int4: 23, json: 114, float4: 700, float8: 701, date: 1082, timestamp: 1114, timestamptz: 1184, jsonb: 3802,
} as const;

/** The two digits at `i` as a number, or a large negative one (which then fails every range check). */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >>> 0 <= 9 && b >>> 0 <= 9 ? a * 10 + b : -1e9;
}

/**
 * `YYYY-MM-DD HH:MM:SS[.f{1,6}][±HH[:MM[:SS]]]`, PostgreSQL's ISO output: the Date the driver would make, or
 * the driver's own answer (`fallback`) for anything else (BC, infinity, years past 9999, another DateStyle).
 */
export function parsePgTimestamp(s: string, fallback: PgParser): unknown {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58
    || s.charCodeAt(16) !== 58) return fallback(s);
  const year = digits2(s, 0) * 100 + digits2(s, 2);
  const month = digits2(s, 5);
  const day = digits2(s, 8);
  const h = digits2(s, 11);
  const min = digits2(s, 14);
  const sec = digits2(s, 17);
  if (!(year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && h >= 0 && h <= 23 && min >= 0 && min <= 59
    && sec >= 0 && sec <= 59)) return fallback(s);
  let i = 19;
  let ms = 0;
  if (i < n && s.charCodeAt(i) === 46) {
    // Fractional seconds: the first three digits are the milliseconds; the rest (microseconds) are cut off.
    const start = ++i;
    let c: number;
    while (i < n && (c = s.charCodeAt(i) - 48) >>> 0 <= 9) {
      if (i - start < 3) ms = ms * 10 + c;
      i++;
    }
    const count = i - start;
    if (count === 0 || count > 6) return fallback(s);
    if (count === 1) ms *= 100;
    else if (count === 2) ms *= 10;
  }
  if (i === n) {
    // No offset (timestamp without time zone): local time, as the driver reads it. Years 0-99 would be
    // read as 1900-1999 by the Date constructor: the driver sorts those out.
    if (year < 100) return fallback(s);
    return new Date(year, month - 1, day, h, min, sec, ms);
  }
  // An offset: ±HH, ±HH:MM or ±HH:MM:SS, and nothing after it.
  const sign = s.charCodeAt(i);
  const left = n - i;
  if ((sign !== 43 && sign !== 45) || (left !== 3 && left !== 6 && left !== 9)) return fallback(s);
  let offset = digits2(s, i + 1) * 3600;
  if (left >= 6) {
    if (s.charCodeAt(i + 3) !== 58) return fallback(s);
    offset += digits2(s, i + 4) * 60;
    if (left === 9) {
      if (s.charCodeAt(i + 6) !== 58) return fallback(s);
      offset += digits2(s, i + 7);
    }
  }
  if (!(offset >= 0)) return fallback(s);
  // Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years, March-based years).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = ((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 | 0) + day - 1;
  const days = era * 146097 + yoe * 365 + (yoe / 4 | 0) - (yoe / 100 | 0) + doy - 719468;
  const local = ((days * 24 + h) * 60 + min) * 60000 + sec * 1000 + ms;
  return new Date(sign === 45 ? local + offset * 1000 : local - offset * 1000);
}

/** `YYYY-MM-DD` kept as text; anything else (BC, infinity, years past 9999) as the driver reads it. */
export function parsePgDate(s: string, fallback: PgParser): unknown {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return fallback(s);
  if (!(digits2(s, 0) >= 0 && digits2(s, 2) >= 0 && digits2(s, 5) >= 0 && digits2(s, 8) >= 0)) return fallback(s);
  return s;
}

/**
 * postgres-date's parser, which pg-types registers for the date and time types: the driver's stock reading.
 * Looked up on the first PostgreSQL column read (null: not found), so an app on another database never loads it.
 */
let STOCK_DATE: unknown = undefined;
function stockDateParser(): unknown {
  if (STOCK_DATE !== undefined) return STOCK_DATE;
  try {
    STOCK_DATE = require(require.resolve('postgres-date', { paths: [require.resolve('pg-types')] }));
  } catch {
    STOCK_DATE = null;
  }
  return STOCK_DATE;
}

type Reader = ((value: unknown) => unknown) | null;

/**
 * The conversion of one column's text (never null: the mapper keeps null as null) to a field's value:
 * what `reader(parse(text))` gives, `parse` being the driver's parser for the column's type and `reader`
 * the field's conversion of the driver's value (null: none). Null when the text is the value.
 */
export function pgTextReader(field: FieldDecl, oid: number, parse: PgParser, reader: Reader): Reader {
  const t = field.type;
  const stockDate = stockDateParser();
  const stock = stockDate !== null && parse === stockDate;
  switch (oid) {
    case PG_OID.bool:
      if (t === 'boolean' && parse.name === 'parseBool') return reader ? (v) => reader(parse(v as string)) : (parse as Reader);
      break;
    case PG_OID.int2: case PG_OID.int4:
      // The driver's parseInt, and the integer reader keeps a number as it is. PostgreSQL writes these as
      // plain decimal digits, which Number reads alike, several times as fast (row mappers inline it).
      if ((t === 'integer' || t === 'float') && parse.name === 'parseInteger') return Number;
      break;
    case PG_OID.float4: case PG_OID.float8:
      // parseFloat: the same reading of PostgreSQL's float text (digits, exponent, NaN, Infinity) as Number's.
      if ((t === 'integer' || t === 'float') && parse === parseFloat) return Number;
      break;
    case PG_OID.timestamptz: case PG_OID.timestamp:
      if (t === 'datetime' && stock) {
        return (v) => {
          const d = parsePgTimestamp(v as string, parse);
          return d instanceof Date || d === null ? d : reader ? reader(d) : d;
        };
      }
      break;
    case PG_OID.date:
      if (t === 'date' && stock) {
        return (v) => {
          const d = parsePgDate(v as string, parse);
          return typeof d === 'string' || d === null ? d : reader ? reader(d) : d;
        };
      }
      break;
    case PG_OID.json: case PG_OID.jsonb:
      // The driver's JSON.parse gives a fresh value, the field's (a string too: a JSON string scalar): the
      // reader's copy of it is not needed.
      if (t === 'json' && parse.name === 'bound parse') return (v) => JSON.parse(v as string);
      break;
  }
  if (parse.name === 'noParse') return reader;
  return reader ? (v) => {
    const d = parse(v as string);
    return d === null ? null : reader(d);
  } : (parse as Reader);
}
