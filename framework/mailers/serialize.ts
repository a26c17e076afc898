import { MailerErrors } from './errors';

/** What a value is, for the error message: `a User record`, `a Date`, `a function`. */
function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return 'a bigint';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'number') return `the number ${value}`;
  if (value instanceof Date) return 'a Date (pass date.toISOString())';
  const name = (value as object)?.constructor?.name;
  return name ? `a ${name} object (a record? pass its id)` : 'an object with no prototype';
}

function check(value: unknown, path: string, label: string, seen: Set<unknown>): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number' && Number.isFinite(value)) return;
  if (typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((v, i) => check(v, `${path}[${i}]`, label, seen));
      return;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype) {
      for (const [k, v] of Object.entries(value)) if (v !== undefined) check(v, `${path}.${k}`, label, seen);
      return;
    }
  }
  throw MailerErrors.NOT_SERIALIZABLE(label, path, value === undefined ? 'undefined' : describe(value));
}

/**
 * Refuses arguments that JSON would change on the way to the worker (records, dates, class instances,
 * undefined in an array, NaN): the action would run there with something else than here.
 */
export function checkSerializable(label: string, args: readonly unknown[]): void {
  args.forEach((arg, i) => check(arg, `#${i + 1}`, label, new Set()));
}
