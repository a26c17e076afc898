import type { FieldDecl } from '../registry';

const TRUE = new Set(['true', '1', 'on', 'yes', 't']);
const FALSE = new Set(['false', '0', 'off', 'no', 'f', '']);

/**
 * Casts a value assigned to a field (often a string from a form) to the field's type, as Rails'
 * attribute types do: `"true"` -> true, `"42"` -> 42, an ISO string -> Date. Values that do not cast
 * are kept as given, so validations can report them.
 */
export function castValue(value: unknown, field: FieldDecl): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') return value;
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
