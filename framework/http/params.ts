import { HttpErrors } from './errors';

/** Keys that could reach an object's prototype; dropped wherever request data is copied. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const METHOD_NAMES = new Set(['require', 'permit', 'get', 'has', 'toObject', 'toJSON']);
/** Uploaded files (framework/storage's Upload) are values: kept whole, permitted like a scalar. */
const UPLOAD = Symbol.for('stryke.upload');
const isUpload = (v: unknown) => !!v && typeof v === 'object' && (v as any)[UPLOAD] === true;
/**
 * Marks request parameters that did not go through `permit`: the ORM refuses them as attributes
 * (STRYKE_E_ORM_FORBIDDEN_ATTRIBUTES) and as conditions (STRYKE_E_ORM_UNSAFE_CONDITION). A registered
 * symbol, so the ORM needs no import from here; request data (JSON, forms) cannot carry a symbol key.
 */
const REQUEST_PARAMS = Symbol.for('stryke.requestParams');

/** A permitted key: `'title'` (a scalar), `{ tags: [] }` (an array of scalars), `{ author: ['name'] }` (a nested object with those keys), `{ metadata: {} }` (any object). */
export type PermitSpec = string | { [key: string]: PermitSpec[] | [] | Record<string, never> };

/** Copies request data into a fresh null-prototype object, recursively dropping prototype keys. */
export function sanitize(value: unknown, depth = 0): any {
  if (depth > 32) return undefined;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value) && !isUpload(value)) {
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value)) {
      if (!UNSAFE_KEYS.has(key)) out[key] = sanitize((value as any)[key], depth + 1);
    }
    return out;
  }
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v) && !isUpload(v);
}

function isScalar(v: unknown): boolean {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v) || isUpload(v);
}

/** What `permit` does with keys it was not told about: drop them quietly, drop and log, or refuse (400). */
export type UnpermittedAction = 'ignore' | 'log' | 'raise';

export interface ParamsPolicy {
  unpermitted: UnpermittedAction;
  log?: (keys: string[]) => void;
}

const IGNORE: ParamsPolicy = { unpermitted: 'ignore' };

/** An uploaded file as a parameter (framework/storage's `Upload`; `isUpload` from storage narrows to it). */
export interface UploadedFile {
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
}

/**
 * What `params.x` (and `params.get('x')`) reads: a scalar (a string from the path, query or form; a number,
 * boolean or null from JSON), an uploaded file, nested parameters (not permitted), or nothing.
 */
export type ParamValue = string | number | boolean | null | undefined | UploadedFile | Params;

// The instance's own state, under symbols: a request's keys become properties of the instance (`params.id`),
// and request data (JSON, forms) cannot carry a symbol key, so no parameter can shadow these. Ordinary
// properties, not `#private` fields, which cost the controller path on Node 20.
const DATA = Symbol('params.data');
const POLICY = Symbol('params.policy');
const FLAT_BODY = Symbol('params.flatBody');

/**
 * Request parameters: path, query and body merged (path wins, then body, then query), in the manner of
 * Rails' `params`. Keys are readable as properties (`params.id`) and through `get(key)`, as `ParamValue`s.
 */
class RequestParams {
  private readonly [DATA]: Record<string, unknown>;
  private readonly [POLICY]: ParamsPolicy;
  /** When the body was flat JSON, `require(key)` falls back to the whole body (Rails' wrap_parameters). */
  private readonly [FLAT_BODY]: Record<string, unknown> | undefined;

  constructor(data: Record<string, unknown>, flatBody?: Record<string, unknown>, policy: ParamsPolicy = IGNORE) {
    this[DATA] = data;
    this[FLAT_BODY] = flatBody;
    this[POLICY] = policy;
    for (const key of Object.keys(data)) {
      if (METHOD_NAMES.has(key)) continue;
      const value = data[key];
      if (isScalar(value) || value === undefined) Object.defineProperty(this, key, { value, enumerable: true, writable: false });
      else Object.defineProperty(this, key, { get: () => this.get(key), enumerable: true });
    }
  }

  /**
   * One parameter. A single value reads as itself; a nested hash (`post[title]=...`) reads as `Params`
   * (not permitted: pass it through `permit` before it reaches a model); a list (`ids[]=1&ids[]=2`) is
   * refused with 400 (STRYKE_E_HTTP_PARAMETER_NOT_SCALAR) until it is permitted (`permit({ ids: [] })`).
   * So a value read the obvious way (`Post.findBy({ token: params.token })`) is never an object or an
   * array an attacker shaped into a SQL operator.
   */
  get(key: string): ParamValue {
    const value = this[DATA][key];
    if (isPlainObject(value)) return new Params(value, undefined, this[POLICY]);
    if (Array.isArray(value)) throw HttpErrors.PARAMETER_NOT_SCALAR(key, key, key);
    return value as ParamValue;
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this[DATA], key);
  }

  /**
   * The nested parameters under `key`; a 400 (STRYKE_E_HTTP_PARAMETER_MISSING) when absent or empty.
   * @example const attrs = this.params.require('post').permit('title', 'body', { tags: [] });
   */
  require(key: string): Params {
    const value = this[DATA][key];
    if (isPlainObject(value) && Object.keys(value).length > 0) return new Params(value, undefined, this[POLICY]);
    const flat = this[FLAT_BODY];
    if (value === undefined && flat && Object.keys(flat).length > 0) return new Params(flat, undefined, this[POLICY]);
    throw HttpErrors.PARAMETER_MISSING(key, key, key);
  }

  /**
   * Only the listed keys, as a plain object. A string key permits a scalar; `{ tags: [] }` permits an
   * array of scalars; `{ author: ['name'] }` permits a nested object with those keys. Everything else is dropped.
   */
  permit(...specs: PermitSpec[]): Record<string, any> {
    const dropped: string[] = [];
    const out = permitData(this[DATA], specs, '', dropped);
    const policy = this[POLICY];
    if (dropped.length && policy.unpermitted !== 'ignore') {
      if (policy.unpermitted === 'raise') throw HttpErrors.UNPERMITTED_PARAMETERS(dropped.join(', '));
      policy.log?.(dropped);
    }
    return out;
  }

  /** Every parameter as it came, nested hashes and lists included: for logging and inspection, not for models. */
  toObject(): Record<string, unknown> {
    return { ...this[DATA] };
  }

  toJSON(): Record<string, unknown> {
    return this.toObject();
  }
}

Object.defineProperty(RequestParams.prototype, REQUEST_PARAMS, { value: true });

/**
 * Request parameters, as controllers read them: the methods above, and each parameter as a property
 * (`params.id`) typed `ParamValue`, so a nested hash or a file never passes for a string unchecked, and
 * `Params` themselves are never a model's attributes (the ORM refuses them at run time too:
 * STRYKE_E_ORM_FORBIDDEN_ATTRIBUTES).
 */
export type Params = RequestParams & { readonly [key: string]: ParamValue };
export const Params = RequestParams as new (data: Record<string, unknown>, flatBody?: Record<string, unknown>, policy?: ParamsPolicy) => Params;

function permitData(data: Record<string, unknown>, specs: PermitSpec[], prefix: string, dropped: string[]): Record<string, any> {
  const out: Record<string, any> = {};
  const allowed = new Set(specs.flatMap((spec) => (typeof spec === 'string' ? [spec] : Object.keys(spec))));
  for (const key of Object.keys(data)) if (!allowed.has(key)) dropped.push(`${prefix}${key}`);
  for (const spec of specs) {
    if (typeof spec === 'string') {
      const v = data[spec];
      if (v !== undefined && isScalar(v)) out[spec] = v;
      continue;
    }
    for (const [key, inner] of Object.entries(spec)) {
      const v = data[key];
      if (!Array.isArray(inner)) {
        if (isPlainObject(v)) out[key] = { ...v };
      } else if (inner.length === 0) {
        if (Array.isArray(v)) out[key] = v.filter(isScalar);
      } else if (isPlainObject(v)) {
        out[key] = permitData(v, inner as PermitSpec[], `${prefix}${key}.`, dropped);
      } else if (Array.isArray(v)) {
        out[key] = v.filter(isPlainObject).map((item) => permitData(item, inner as PermitSpec[], `${prefix}${key}[].`, dropped));
      }
    }
  }
  return out;
}

/** Merges query, body and path parameters for one request (path parameters win). */
export function buildParams(query: unknown, body: unknown, path: Record<string, string>, bodyIsJson: boolean, policy: ParamsPolicy = IGNORE): Params {
  const data: Record<string, unknown> = Object.create(null);
  const q = isPlainObject(query) ? sanitize(query) : undefined;
  const b = isPlainObject(body) ? sanitize(body) : undefined;
  if (q) Object.assign(data, q);
  if (b) Object.assign(data, b);
  for (const key of Object.keys(path)) if (!UNSAFE_KEYS.has(key)) data[key] = path[key];
  delete data._method;
  delete data.authenticity_token;
  return new Params(data, bodyIsJson && b ? withoutKeys(b, Object.keys(path)) : undefined, policy);
}

function withoutKeys(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(obj)) if (!keys.includes(k) && k !== '_method' && k !== 'authenticity_token') out[k] = obj[k];
  return out;
}
