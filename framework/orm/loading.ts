import { OrmErrors } from './errors';

/**
 * N+1 detection. Records that one query loaded together share a batch; a lazy load (`record.load(name)`,
 * `await record.author` on an unloaded association) counts against the batch, and the second lazy load
 * of the same association in one batch is an N+1: a warning in development (naming the `.includes(...)`
 * to add), STRYKE_E_ORM_N_PLUS_ONE in tests, nothing at all in production (no batch is even made).
 */
export type NPlusOneMode = 'off' | 'warn' | 'raise';

export const ormSettings: {
  nPlusOne: NPlusOneMode;
  /** Where N+1 warnings go (development). */
  warn: (message: string) => void;
} = {
  nPlusOne: 'off',
  warn: (message) => console.warn(`[stryke] ${message}`),
};

/** The N+1 mode for an environment: development warns, test throws, production (and others) skip. */
export function nPlusOneModeFor(env: string): NPlusOneMode {
  if (env === 'test') return 'raise';
  if (env === 'development') return 'warn';
  return 'off';
}

export const BATCH = Symbol('stryke.batch');
export const STRICT = Symbol('stryke.strictLoading');

export interface Batch {
  model: string;
  size: number;
  /** The association path from the query's model to these records ([] for the query's own rows). */
  path: string[];
  counts: Map<string, number>;
}

/** Marks records loaded together (only when detection is on and there are several). */
export function markBatch(records: any[], model: string, path: string[], strict: boolean | undefined): void {
  if (strict !== undefined) for (const r of records) r[STRICT] = strict;
  if (ormSettings.nPlusOne === 'off' || records.length < 2) return;
  const batch: Batch = { model, size: records.length, path, counts: new Map() };
  for (const r of records) r[BATCH] = batch;
}

/** The `.includes(...)` that loads `association` for records reached by `path`. */
export function includesHint(path: string[], association: string): string {
  let inner = `'${association}'`;
  for (let i = path.length - 1; i >= 0; i--) inner = `{ ${path[i]}: ${inner} }`;
  return `.includes(${inner})`;
}

/** Called before every lazy load of an association. */
export function noteLazyLoad(record: any, modelName: string, association: string, strictDefault: boolean): void {
  if (record[STRICT] ?? strictDefault) throw OrmErrors.STRICT_LOADING(modelName, association, association);
  if (ormSettings.nPlusOne === 'off') return;
  const batch = record[BATCH] as Batch | undefined;
  if (!batch) return;
  const n = (batch.counts.get(association) ?? 0) + 1;
  batch.counts.set(association, n);
  if (n < 2) return;
  const hint = includesHint(batch.path, association);
  const err = OrmErrors.N_PLUS_ONE(modelName, association, n, batch.size, batch.model, hint);
  if (ormSettings.nPlusOne === 'raise') throw err;
  if (n === 2) ormSettings.warn(err.message);
}
