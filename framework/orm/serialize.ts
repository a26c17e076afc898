import type { FieldDecl } from '../registry';
import { LOADED } from './associations';
import { META, type ModelMeta } from './meta';
import { ActiveRecord } from './model';

/** Thrown by a writer for a value JSON.stringify would leave out (a function): the whole value then goes the long way. */
const LONG_WAY = Symbol('stryke.json.longWay');

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * A field's value as `toJSON` then `JSON.stringify` write it, for a value of a type the field's compiled code
 * did not expect (a driver that returned a string for a number, a bigint, null): `undefined` is null, a
 * bigint is a number when safe and a string when not, anything else is JSON.stringify's.
 */
function other(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v <= MAX && v >= MIN ? String(Number(v)) : `"${v.toString()}"`;
  const s = JSON.stringify(v) as string | undefined;
  if (s === undefined) throw LONG_WAY;
  return s;
}

/** The expression that writes `v` for a field of this type: a fast path for the type the ORM reads it as, `O(v)` for the rest. */
function valueCode(f: FieldDecl): string {
  switch (f.type) {
    case 'integer': case 'float':
      // v - v is 0 only for a finite number: NaN and the infinities are null, as JSON.stringify writes them.
      return `(typeof v === 'number' ? (v - v === 0 ? '' + v : 'null') : O(v))`;
    case 'enum':
      return `(typeof v === 'string' ? J(v) : typeof v === 'number' ? (v - v === 0 ? '' + v : 'null') : O(v))`;
    case 'string': case 'text': case 'uuid': case 'decimal':
      return `(typeof v === 'string' ? J(v) : O(v))`;
    case 'boolean':
      return `(v === true ? 'true' : v === false ? 'false' : O(v))`;
    case 'date': case 'datetime':
      // Date#toJSON: the ISO string, or null for an invalid date.
      return `(v instanceof Date ? (v.getTime() - v.getTime() === 0 ? '"' + v.toISOString() + '"' : 'null') : O(v))`;
    default:
      return 'O(v)';
  }
}

/**
 * A model's JSON writer, generated once at boot from its fields: one line per field that `toJSON` writes
 * (sensitive fields are left out, as there), each with the conversion its type needs, then the loaded
 * associations, in `toJSON`'s order. It writes the text `JSON.stringify(record)` writes, without making
 * the intermediate object or walking it generically.
 */
export function buildJsonWriter(meta: Pick<ModelMeta, 'model' | 'fields' | 'associations'>): (record: any) => string {
  const fields = meta.fields.filter((f) => !f.sensitive);
  const lines: string[] = ['let v;'];
  fields.forEach((f, i) => {
    const key = JSON.stringify(`${i === 0 ? '{' : ','}${JSON.stringify(f.property)}:`);
    lines.push(`v = r[${JSON.stringify(f.property)}];`);
    lines.push(`${i === 0 ? 'let s = ' : 's += '}${key} + ${valueCode(f)};`);
  });
  if (fields.length === 0) lines.push(`let s = '{';`);
  lines.push('const l = r[LOADED];');
  lines.push(`if (l !== undefined && l.size !== 0) s = A(r, l, s, ${fields.length === 0});`);
  lines.push(`return s + '}';`);
  const names = [...meta.associations.keys()];
  const associations = (r: any, loaded: Map<string, unknown>, s: string, first: boolean): string => {
    for (const name of names) {
      if (!loaded.has(name)) continue;
      s += `${first ? '' : ','}${JSON.stringify(name)}:${valueText(loaded.get(name))}`;
      first = false;
    }
    return s;
  };
  // eslint-disable-next-line no-new-func
  const factory = new Function('J', 'O', 'A', 'LOADED', `return function ${meta.model.name.replace(/\W/g, '')}Json(r) {\n${lines.join('\n')}\n};`);
  return factory(JSON.stringify, other, associations, LOADED) as (record: any) => string;
}

const baseToJSON = ActiveRecord.prototype.toJSON;

/** The writer for a record whose JSON is the ORM's own (its class does not override toJSON), or undefined. */
function writerOf(value: any): ((record: any) => string) | undefined {
  if (value.toJSON !== baseToJSON) return undefined;
  return (value.constructor[META] as ModelMeta | undefined)?.writeJson;
}

/** A value as an element or property, as JSON.stringify would write it there (a record by its writer). */
function valueText(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) return arrayText(value);
    const w = writerOf(value);
    if (w !== undefined) return w(value);
  }
  const s = JSON.stringify(value) as string | undefined;
  if (s === undefined) throw LONG_WAY;
  return s;
}

function arrayText(list: unknown[]): string {
  const n = list.length;
  if (n === 0) return '[]';
  let s = '[';
  for (let i = 0; i < n; i++) {
    const e = list[i];
    if (i !== 0) s += ',';
    if (e !== null && typeof e === 'object') {
      const w = Array.isArray(e) ? undefined : writerOf(e);
      s += w !== undefined ? w(e) : Array.isArray(e) ? arrayText(e) : (JSON.stringify(e) ?? 'null');
    } else {
      // In an array, undefined, functions and symbols are written as null.
      s += JSON.stringify(e) ?? 'null';
    }
  }
  return s + ']';
}

/**
 * `JSON.stringify(value)`, with records (and arrays of them, and their loaded associations) written by their
 * model's compiled writer: the same text, less work. A record whose class overrides `toJSON`, and any other
 * value, goes through JSON.stringify as before.
 */
export function jsonText(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    try {
      if (Array.isArray(value)) {
        const first = value[0];
        if (first !== null && typeof first === 'object' && !Array.isArray(first) && writerOf(first) !== undefined) return arrayText(value);
      } else {
        const w = writerOf(value);
        if (w !== undefined) return w(value);
      }
    } catch (err) {
      if (err !== LONG_WAY) throw err;
    }
  }
  return JSON.stringify(value);
}
