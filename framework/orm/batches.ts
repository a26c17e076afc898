import { OrmErrors } from './errors';
import type { ModelMeta } from './meta';
import { EMPTY, type State } from './query-state';

/**
 * Reading a large result in parts: one page with its totals, and keyset batches by primary key
 * (`WHERE id > last ORDER BY id LIMIT n`), so a large table is never loaded whole.
 */

/** One page of records, with the totals a pager needs. */
export interface Page<T> {
  records: T[];
  page: number;
  perPage: number;
  total: number;
  pageCount: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** What batching needs of a relation: to count, read and list keys, and to make one like it over another state. */
interface Batchable<T> {
  count(): Promise<number>;
  toArray(): Promise<T[]>;
  ids(): Promise<any[]>;
  limit(n: number): Batchable<T>;
  offset(n: number): Batchable<T>;
}
type Derive<R> = (patch: Partial<State>) => R;

export async function paginate<T, R extends Batchable<T>>(derive: Derive<R>, options: { page?: unknown; perPage?: number }): Promise<Page<T>> {
  const perPage = options.perPage ?? 25;
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 10_000) throw OrmErrors.BAD_PAGINATION(10_000, perPage);
  const n = Number(options.page);
  const page = Number.isSafeInteger(n) && n >= 1 ? n : 1;
  const base = derive({ limit: undefined, offset: undefined });
  const total = await base.count();
  const records = total > (page - 1) * perPage ? await base.limit(perPage).offset((page - 1) * perPage).toArray() : [];
  const pageCount = Math.ceil(total / perPage);
  return { records, page, perPage, total, pageCount, hasNextPage: page < pageCount, hasPreviousPage: page > 1 };
}

function batchSize(options: { batchSize?: number }): number {
  const size = options.batchSize ?? 1000;
  if (!Number.isInteger(size) || size < 1) throw OrmErrors.BAD_LIMIT('batchSize', size);
  return size;
}

/** The next `size` rows by primary key after `last` (keyset pagination: no OFFSET to rescan). */
function keysetPage(meta: ModelMeta, s: State, size: number, last: unknown) {
  const pk = meta.pk;
  return {
    orders: [[{ field: pk }, 'ASC']] as State['orders'], limit: size, offset: undefined,
    where: last === undefined ? s.where : [...s.where, { k: 'cmp' as const, field: pk, op: '>' as const, value: last }],
  };
}

export async function* findInBatches<T, R extends Batchable<T>>(meta: ModelMeta, s: State, derive: Derive<R>, options: { batchSize?: number }): AsyncGenerator<T[], void, undefined> {
  const size = batchSize(options);
  const pk = meta.pk;
  let last: unknown;
  for (;;) {
    const rel = derive(keysetPage(meta, s, size, last));
    const batch = await rel.toArray();
    if (!batch.length) return;
    yield batch;
    if (batch.length < size) return;
    last = (batch[batch.length - 1] as any)[pk.property];
  }
}

export async function inBatches<R extends Batchable<unknown>>(meta: ModelMeta, s: State, derive: Derive<R>, fn: (batch: R) => unknown, options: { batchSize?: number }): Promise<void> {
  const size = batchSize(options);
  const pk = meta.pk;
  let last: unknown;
  for (;;) {
    const rel = derive({ ...keysetPage(meta, s, size, last), includes: undefined });
    const ids = await rel.ids();
    if (!ids.length) return;
    await fn(derive({ ...EMPTY, deleted: 'with', strict: s.strict, includes: s.includes, where: [{ k: 'in', field: pk, values: ids }] }));
    if (ids.length < size) return;
    last = ids[ids.length - 1];
  }
}
