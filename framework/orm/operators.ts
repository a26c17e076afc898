import { OrmErrors } from './errors';

/**
 * Comparison operators for hash conditions, as values only code can make: `where({ views: gt(10) })`,
 * `where({ id: anyOf([1, 2]) })`. A condition value is otherwise one value (equality) or null (IS NULL):
 * a plain object or an array is refused (STRYKE_E_ORM_UNSAFE_CONDITION), because that is what request
 * data looks like (`?token[gt]=` parses to `{ gt: '' }`, `?token[]=a&token[]=b` to an array), and request
 * data must never become a SQL operator. JSON cannot build an instance of this class, so a value that is
 * one came from code.
 */
export class Operator {
  /** @internal */
  constructor(
    readonly kind: 'cmp' | 'in' | 'not',
    /** cmp: [sql operator, bound][]; in: the values; not: [the negated condition value]. */
    readonly args: readonly unknown[],
  ) {
    Object.freeze(this);
  }
}

type Bound = [op: '>' | '>=' | '<' | '<=', value: unknown];

const cmp = (op: Bound[0], value: unknown) => new Operator('cmp', [[op, value] as Bound]);

/** `views > value`. */
export function gt<V>(value: V): Operator {
  return cmp('>', value);
}

/** `views >= value`. */
export function gte<V>(value: V): Operator {
  return cmp('>=', value);
}

/** `views < value`. */
export function lt<V>(value: V): Operator {
  return cmp('<', value);
}

/** `views <= value`. */
export function lte<V>(value: V): Operator {
  return cmp('<=', value);
}

/**
 * Range bounds: `range(18, 30)` is 18..30 inclusive; `{ exclusive: true }` leaves out the end; null or
 * undefined for an open end (`range(null, 10)` is `<= 10`).
 */
export function range<V>(from: V | null | undefined, to: V | null | undefined, options: { exclusive?: boolean } = {}): Operator {
  const bounds: Bound[] = [];
  if (from !== null && from !== undefined) bounds.push(['>=', from]);
  if (to !== null && to !== undefined) bounds.push([options.exclusive ? '<' : '<=', to]);
  return new Operator('cmp', bounds);
}

/**
 * `IN (...)`: any of these values (`[]` matches nothing; a null in the list also matches NULL). For a
 * belongsTo association, a list of records: `where({ author: anyOf([ann, bob]) })`.
 */
export function anyOf<V>(values: readonly V[]): Operator {
  if (!Array.isArray(values)) throw OrmErrors.BAD_OPERATOR('anyOf()', 'an array of values', values === null ? 'null' : typeof values);
  return new Operator('in', values.slice());
}

/** The negation of a condition value: `not('draft')`, `not(null)` (IS NOT NULL), `not(anyOf([1, 2]))`. */
export function not<V>(value: V | Operator): Operator {
  return new Operator('not', [value]);
}

/** `ne(value)` is `not(value)`: `<>` that, as in SQL, leaves out rows whose value is NULL. */
export const ne = not;
