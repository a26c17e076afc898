import type { Constructor, HttpMethod, ParamType } from '../registry';
import { camelize, singularize } from '../support';

/** What kind of endpoint a route is: plain HTTP, a WebSocket upgrade, or a server-sent event stream. */
export type RouteKind = 'http' | 'ws' | 'sse';

export interface RouteConstraints {
  /** Only requests for this Host match (fastify's host constraint). */
  host?: string;
}

/**
 * One route as declared, before its controller is resolved: from a decorator (target is the class) or
 * from config/routes.ts (target is a controller key such as `posts` or `api/v1/users`).
 */
export interface RouteSpec {
  method: HttpMethod;
  path: string;
  name?: string;
  target: Constructor | string;
  action: string;
  source: string;
  kind: RouteKind;
  constraints?: RouteConstraints;
  /** `:format` values accepted (`/feed.:format` with ['json', 'atom', 'rss']); anything else is a 404. */
  formats?: string[];
  /** Largest body this route accepts, in bytes (overrides config/server.toml's body_limit). */
  bodyLimit?: number;
  /** The action reads the request body as a stream: it is neither buffered nor parsed. */
  stream?: boolean;
  /** Path parameter types, checked (400 when wrong) and converted before the action runs. */
  params?: Record<string, ParamType>;
  /** A class-validator DTO the body must satisfy (422 with per-field errors otherwise): `this.body`. */
  body?: Constructor;
}

export const RESOURCE_ACTIONS = ['index', 'new', 'create', 'show', 'edit', 'update', 'destroy'] as const;
export type ResourceAction = (typeof RESOURCE_ACTIONS)[number];

export interface ResourcesOptions {
  only?: readonly string[];
  except?: readonly string[];
  /** Member routes (show, edit, update, destroy) are not nested under the parent: `/comments/:id`. */
  shallow?: boolean;
  /** Overrides the URL segment (default: the resource name). */
  path?: string;
}

/** Where a resource sits: the path, name and controller prefixes of its enclosing namespaces and parents. */
export interface ResourceScope {
  /** Path prefix of the whole scope (namespaces, scopes): `/api/v1`. */
  path: string;
  /** Path prefix including parent resources: `/api/v1/posts/:postId`. */
  nestedPath: string;
  /** Name prefix from namespaces: `api_v1`. */
  names: string[];
  /** Name prefix from parent resources: `post`. */
  nestedNames: string[];
  /** Controller key prefix: `api/v1/`. */
  controller: string;
  host?: string;
}

export const ROOT_SCOPE: ResourceScope = { path: '', nestedPath: '', names: [], nestedNames: [], controller: '' };

export function joinName(...parts: (string | undefined)[]): string {
  return parts.filter(Boolean).join('_');
}

/** The path parameter a nested resource's children use for it: `posts` -> `postId`. */
export function parentParam(plural: string): string {
  return `${camelize(singularize(plural))}Id`;
}

/**
 * The routes of `resources(name)`: the seven Rails actions (or the subset allowed by `only`/`except` and,
 * for a decorated class, by the methods it defines), named as Rails names them.
 */
export function expandResources(
  plural: string,
  options: ResourcesOptions,
  scope: ResourceScope,
  target: Constructor | string,
  source: string,
  has: (action: string) => boolean = () => true,
): RouteSpec[] {
  const singular = singularize(plural);
  const segment = `/${options.path ?? plural}`;
  const collectionPath = `${scope.nestedPath}${segment}`;
  const memberBase = options.shallow ? `${scope.path}${segment}` : collectionPath;
  const memberNames = options.shallow ? scope.names : [...scope.names, ...scope.nestedNames];
  const collectionNames = [...scope.names, ...scope.nestedNames];
  const plan: [ResourceAction, HttpMethod, string, string][] = [
    ['index', 'GET', collectionPath, joinName(...collectionNames, plural)],
    ['new', 'GET', `${collectionPath}/new`, joinName('new', ...collectionNames, singular)],
    ['create', 'POST', collectionPath, joinName(...collectionNames, plural)],
    ['show', 'GET', `${memberBase}/:id`, joinName(...memberNames, singular)],
    ['edit', 'GET', `${memberBase}/:id/edit`, joinName('edit', ...memberNames, singular)],
    ['update', 'PATCH', `${memberBase}/:id`, joinName(...memberNames, singular)],
    ['update', 'PUT', `${memberBase}/:id`, joinName(...memberNames, singular)],
    ['destroy', 'DELETE', `${memberBase}/:id`, joinName(...memberNames, singular)],
  ];
  const out: RouteSpec[] = [];
  for (const [action, method, path, name] of plan) {
    if (options.only && !options.only.includes(action)) continue;
    if (options.except && options.except.includes(action)) continue;
    if (!has(action)) continue;
    out.push({ method, path, name, target, action, source, kind: 'http', constraints: scope.host ? { host: scope.host } : undefined });
  }
  return out;
}
