import type { FieldDecl } from '../registry';
import type { ModelMeta } from './meta';

/**
 * What a record knows about itself beside its fields, kept under symbols: whether it is persisted or
 * destroyed, its errors, and the values it was read or last saved with (for dirty tracking).
 */

export const PERSISTED = Symbol('stryke.persisted');
export const ERRORS = Symbol('stryke.errors');
/**
 * The values the record was read or last saved with: a snapshot by property, or the row as read. For a
 * row, ORIG_RAW is true (an object by column, the fields' readers convert) or the row's layout (an array).
 */
export const ORIG = Symbol('stryke.original');
export const ORIG_RAW = Symbol('stryke.originalRaw');
export const PREVIOUS = Symbol('stryke.previousChanges');
export const DESTROYED = Symbol('stryke.destroyed');

export type Attrs = Record<string, unknown>;
/** Where each field is in a row read as an array (-1: not read), and the conversion of its value there. */
export interface RowLayout {
  at: readonly number[];
  read: readonly (((value: unknown) => unknown) | null)[];
}
/** A record, seen from the helpers that keep its state. */
export type Rec = Record<string | symbol, any>;
export type Change = [before: unknown, after: unknown];

/** Whether two values of a field are the same (a Date by time, JSON by content, numbers across their forms). */
export function same(a: unknown, b: unknown, f: FieldDecl): boolean {
  if (a === b) return true;
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn;
  if (a instanceof Date || b instanceof Date) return new Date(a as any).getTime() === new Date(b as any).getTime();
  switch (f.type) {
    case 'json': return JSON.stringify(a) === JSON.stringify(b);
    case 'decimal': return String(a) === String(b) || Number(a) === Number(b);
    case 'bigint': case 'integer': case 'float': return String(a) === String(b);
    default: return false;
  }
}

export function originalAt(record: Rec, meta: ModelMeta, i: number): unknown {
  const f = meta.fields[i]!;
  const o = record[ORIG];
  if (!o) return f.default;
  const raw = record[ORIG_RAW] as boolean | RowLayout | undefined;
  if (!raw) return o[f.property];
  const v = raw === true ? o[f.column] : raw.at[i]! < 0 ? undefined : o[raw.at[i]!];
  if (v === undefined || v === null) return v;
  const r = raw === true ? meta.readers[i] : raw.read[i];
  return r ? r(v) : v;
}

export function snapshot(record: Rec, meta: ModelMeta): Attrs {
  const out: Attrs = {};
  for (const f of meta.fields) {
    const v = record[f.property];
    out[f.property] = f.type === 'json' && v !== null && typeof v === 'object' ? structuredClone(v) : v;
  }
  return out;
}

/** The record's values, as now saved, become the ones changes are measured from. */
export function markSaved(record: Rec, meta: ModelMeta): void {
  record[ORIG] = snapshot(record, meta);
  record[ORIG_RAW] = false;
}
