/**
 * The registry: plain records that decorators write when a class is defined. Nothing here reflects
 * or composes; the boot pipeline (framework/app) reads these records once and builds the container,
 * the routes and the model schema from them.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export type Constructor<T = any> = new (...args: any[]) => T;
/** The type a path parameter is checked and converted to (`{ id: 'integer' }`). */
export type ParamType = 'integer' | 'number' | 'string' | 'uuid' | 'boolean';

export interface RouteDecl {
  method: HttpMethod;
  path: string;
  action: string;
  name?: string;
  source: string;
  kind?: 'http' | 'ws' | 'sse';
  formats?: string[];
  host?: string;
  bodyLimit?: number;
  stream?: boolean;
  params?: Record<string, ParamType>;
  body?: Constructor;
}

export interface FilterDecl {
  kind: 'before' | 'after' | 'around' | 'skip';
  method: string;
  only?: string[];
  except?: string[];
  source: string;
  /** For `skip`: which kind of filter it removes. */
  skips?: 'before' | 'after' | 'around';
}

/** A middleware: a function `(ctx, next) => ...`, or a class with such a `handle` method. */
export interface UseDecl {
  middleware: unknown;
  /** The action it applies to, or undefined for the whole controller. */
  action?: string;
  source: string;
}

/** `@RateLimit(...)` on a controller (every action, one counter per controller) or on one action. */
export interface RateLimitDecl {
  max: number;
  /** The window, in milliseconds. */
  per: number;
  by: 'ip' | 'user';
  /** A counter name shared by every declaration that gives it (default: the controller, or controller#action). */
  name?: string;
  /** The action it applies to, or undefined for the whole controller. */
  action?: string;
  source: string;
}

export interface ResourcesDecl {
  name: string;
  only?: string[];
  except?: string[];
  /** Nested under this parent resource (`posts` gives `/posts/:postId/comments`). */
  nestedIn?: string;
  shallow?: boolean;
}

export interface ControllerDecl {
  target: Constructor;
  prefix: string;
  resources?: ResourcesDecl;
  routes: RouteDecl[];
  filters: FilterDecl[];
  uses: UseDecl[];
  /** `@RateLimit` declarations, when any (framework/rate-limit). */
  rateLimits?: RateLimitDecl[];
  /** A module prefix (`api/v1`): paths under `/api/v1`, names prefixed `api_v1_`. */
  namespace?: string;
  host?: string;
  source: string;
  /** `@RequireAuth()` / `@AllowAnonymous()` on the class (no action) or on actions. */
  auth?: AuthDecl[];
}

/** `@RequireAuth()` or `@AllowAnonymous()`, on a controller (every action) or on one action. */
export interface AuthDecl {
  mode: 'require' | 'allow';
  action?: string;
  source: string;
}

/** `@Authenticator()`: the app's class that finds the signed-in user of a request. */
export interface AuthenticatorDecl {
  target: Constructor;
  /** Where unauthenticated HTML requests are sent. */
  signInPath: string;
  source: string;
}

export type FieldType =
  | 'string' | 'text' | 'integer' | 'bigint' | 'float' | 'decimal' | 'boolean'
  | 'date' | 'datetime' | 'json' | 'uuid' | 'enum';

export interface FieldDecl {
  property: string;
  column: string;
  type: FieldType;
  primary: boolean;
  nullable: boolean;
  limit?: number;
  default?: unknown;
  /** `createdAt`/`updatedAt`, filled by the model on insert/update. */
  timestamp?: 'create' | 'update';
  /** An enum field's allowed values. */
  values?: readonly (string | number)[];
  /** A decimal field's precision and scale. */
  precision?: number;
  scale?: number;
  /** The `@SoftDelete()` field: a destroy sets it instead of deleting the row. */
  softDelete?: boolean;
  /** Never shown: left out of toJSON, `[FILTERED]` in util.inspect (a password digest). */
  sensitive?: boolean;
}

export interface AssociationDecl {
  kind: 'belongsTo' | 'hasMany' | 'hasOne';
  property: string;
  target: () => Constructor;
  foreignKey?: string;
  source: string;
  /** hasMany/hasOne through another association of this model. */
  through?: string;
  /** With `through`: the association on the through model that reaches the target. */
  sourceAssociation?: string;
  /** hasMany/hasOne: what destroying the owner does to the records. */
  dependent?: 'destroy' | 'nullify' | 'delete';
  /** belongsTo: a save is refused ("must exist") while the foreign key is null. */
  required?: boolean;
}

export interface ValidationDecl {
  property: string;
  rules: Record<string, unknown>;
}

export interface ModelDecl {
  target: Constructor;
  table: string;
  fields: FieldDecl[];
  associations: AssociationDecl[];
  validations: ValidationDecl[];
  callbacks: { event: string; method: string; on?: string[] }[];
  source: string;
  /** Lazy loads of this model's associations are refused (`@Model('posts', { strictLoading: true })`). */
  strictLoading?: boolean;
  /** Validation methods (`@Validate()`), with their conditions. */
  validators?: { method: string | ((record: any) => unknown); options: Record<string, unknown> }[];
  /** Properties that may be assigned without being fields (a password's plain value and its confirmation). */
  virtuals?: string[];
  /** Run by save() after validation and before the transaction, in order (hashing a password). */
  preparers?: ((record: any) => Promise<void>)[];
  /** Files stored apart from the row (`@HasOneAttached('avatar')`, `@HasManyAttached('photos')`): see framework/storage. */
  attachments?: { name: string; kind: 'one' | 'many' }[];
}

export interface ServiceDecl {
  target: Constructor;
  source: string;
}

/** A `@Channel` class: its WebSocket path (decorator form), and the methods that messages may call. */
export interface ChannelDecl {
  target: Constructor;
  /** The path of the decorator form (`@Channel('/chat/:roomId')`); routed from config/routes.ts otherwise. */
  path?: string;
  /** The route name (`chat` gives the path helper chatPath... for ws routes, listing only). */
  name?: string;
  /** Methods declared with `@Action()`: the only names a message's action may call. */
  actions: Set<string>;
  /** Where `@Channel` was applied ('' until it is). */
  source: string;
}

/**
 * A `@Job` class (framework/jobs): its name is the job's name on the queue, so a worker finds the class
 * by it. Recorded by file and name, so loading a file again (development reload) replaces its jobs, and two
 * classes of one name in two files stay two records: booting an app with both fails (STRYKE_E_JOBS_DUPLICATE_NAME).
 */
export interface JobDecl {
  target: Constructor;
  /** The class name: the job's name on its queue. */
  name: string;
  /** The options `@Job` was given, with the queue filled in (typed by framework/jobs). */
  options: { queue: string; [option: string]: unknown };
  /** `file:line` of the compiled file that defines the class. */
  source: string;
}

/** The key of a job declaration: its file (without the line) and its class name. */
export function jobKey(source: string, name: string): string {
  const colon = source.lastIndexOf(':');
  return `${colon > 0 ? source.slice(0, colon) : source}#${name}`;
}

class Registry {
  readonly controllers = new Map<Function, ControllerDecl>();
  readonly channels = new Map<Function, ChannelDecl>();
  readonly models = new Map<Function, ModelDecl>();
  readonly services = new Map<Function, ServiceDecl>();
  readonly authenticators = new Map<Function, AuthenticatorDecl>();
  /** `@Job` classes, keyed by file and class name (jobKey). */
  readonly jobs = new Map<string, JobDecl>();

  controller(target: Function): ControllerDecl {
    let decl = this.controllers.get(target);
    if (!decl) {
      decl = { target: target as Constructor, prefix: '', routes: [], filters: [], uses: [], source: '' };
      this.controllers.set(target, decl);
    }
    return decl;
  }

  channel(target: Function): ChannelDecl {
    let decl = this.channels.get(target);
    if (!decl) {
      decl = { target: target as Constructor, actions: new Set(), source: '' };
      this.channels.set(target, decl);
    }
    return decl;
  }

  model(target: Function): ModelDecl {
    let decl = this.models.get(target);
    if (!decl) {
      decl = { target: target as Constructor, table: '', fields: [], associations: [], validations: [], callbacks: [], source: '' };
      this.models.set(target, decl);
    }
    return decl;
  }

  /** Records a `@Job` class, replacing the one its file defined before under that name (a reload). */
  job(decl: JobDecl): JobDecl {
    this.jobs.set(jobKey(decl.source, decl.name), decl);
    return decl;
  }

  /** Declarations whose class was defined in a file under `dir` (one app's compiled code). */
  within<T extends { source: string }>(map: Map<unknown, T>, dir: string): T[] {
    return [...map.values()].filter((d) => d.source.startsWith(dir));
  }
}

/** One registry per process, shared by every copy of the framework module that might be loaded. */
const KEY = Symbol.for('stryke.registry');
export const registry: Registry = ((globalThis as any)[KEY] ??= new Registry());
export { callSite } from './source';
export { decoratedAt, frameworkDir } from './source';
