import { registry, type Constructor, type HttpMethod, type ParamType } from '../registry';
import { callSite } from '../registry';

export interface RouteOptions {
  /** The route's name, from which its path helper is made (`as: 'about'` gives `aboutPath()`). */
  as?: string;
  /** Accepted values of `:format` in the path (`/feed.:format`); anything else answers 404. */
  format?: string[];
  /** Only requests for this Host match (`admin.example.com`). */
  host?: string;
  /** Largest request body this route accepts, in bytes (default: `body_limit` of config/server.toml). */
  bodyLimit?: number;
  /** The action reads the body as a stream (`this.bodyStream()`): not buffered, not parsed, no body limit. */
  stream?: boolean;
  /** Path parameter types: `{ id: 'integer' }` makes `this.params.id` a number and answers 400 for `/posts/abc`. */
  params?: Record<string, ParamType>;
  /** A DTO class with class-validator decorators: the body is validated (422 with per-field errors) and given as `this.body`. */
  body?: Constructor;
}

export interface ControllerOptions {
  /** A module prefix: `'api/v1'` puts the routes under `/api/v1` and their names under `api_v1_`. */
  namespace?: string;
  /** Only requests for this Host match. */
  host?: string;
}

function normalizeNamespace(ns: string | undefined): string | undefined {
  return ns ? ns.replace(/^\/|\/$/g, '') : undefined;
}

/**
 * Declares a controller and the path prefix of its routes.
 * @example
 * @Controller('/pages')
 * export class PagesController extends ApplicationController { @Get('/about') about() {...} }
 */
export function Controller(prefix = '', options: ControllerOptions = {}): ClassDecorator {
  return (target) => {
    const decl = registry.controller(target);
    decl.prefix = prefix === '/' ? '' : prefix.replace(/\/$/, '');
    decl.namespace = normalizeNamespace(options.namespace);
    decl.host = options.host;
    decl.source = callSite();
  };
}

export interface ResourcesOptions extends ControllerOptions {
  only?: string[];
  except?: string[];
  /** Nests the resource under a parent: `nestedIn: 'posts'` gives `/posts/:postId/comments`. */
  nestedIn?: string;
  /** With `nestedIn`: member routes (show, edit, update, destroy) stay at `/comments/:id`. */
  shallow?: boolean;
}

/**
 * Declares a resourceful controller: the seven Rails routes (index, new, create, show, edit, update,
 * destroy) for whichever of those methods the class defines, under `/<name>`.
 * @example
 * @Resources('posts')
 * export class PostsController extends ApplicationController { async index() {...} async show() {...} }
 */
export function Resources(name: string, options: ResourcesOptions = {}): ClassDecorator {
  return (target) => {
    const decl = registry.controller(target);
    const clean = name.replace(/^\/|\/$/g, '');
    decl.resources = { name: clean, only: options.only, except: options.except, nestedIn: options.nestedIn?.replace(/^\/|\/$/g, ''), shallow: options.shallow };
    decl.prefix = `/${clean}`;
    decl.namespace = normalizeNamespace(options.namespace);
    decl.host = options.host;
    decl.source = callSite();
  };
}

/** Declares a route to the decorated method. */
export function Route(method: HttpMethod, path = '/', options: RouteOptions = {}, kind: 'http' | 'ws' | 'sse' = 'http'): MethodDecorator {
  return (target, property) => {
    registry.controller(target.constructor).routes.push({
      method: method.toUpperCase() as HttpMethod,
      path,
      action: String(property),
      name: options.as,
      source: callSite(),
      kind,
      formats: options.format,
      host: options.host,
      bodyLimit: options.bodyLimit,
      stream: options.stream,
      params: options.params,
      body: options.body,
    });
  };
}

export const Get = (path = '/', options?: RouteOptions) => Route('GET', path, options);
export const Post = (path = '/', options?: RouteOptions) => Route('POST', path, options);
export const Put = (path = '/', options?: RouteOptions) => Route('PUT', path, options);
export const Patch = (path = '/', options?: RouteOptions) => Route('PATCH', path, options);
export const Delete = (path = '/', options?: RouteOptions) => Route('DELETE', path, options);
/** A server-sent events endpoint: the action calls `this.sse(...)`. */
export const Sse = (path = '/', options?: RouteOptions) => Route('GET', path, options, 'sse');
/**
 * Kept for compatibility: a WebSocket endpoint is a channel (`@Channel(path)` on the class, or `r.ws` in
 * config/routes.ts); on a controller method this fails the boot with STRYKE_E_CHANNELS_NOT_A_CHANNEL.
 */
export const Ws = (path = '/', options?: RouteOptions) => Route('GET', path, options, 'ws');

/**
 * A route on one record of a @Resources controller: `@Member('POST') publish()` gives
 * `POST /posts/:id/publish`, named `publish_post`.
 */
export function Member(method: HttpMethod = 'GET', options: RouteOptions = {}): MethodDecorator {
  return (target, property) => {
    const action = String(property);
    Route(method, `/:id/${action}`, { ...options, as: options.as ?? `@member:${action}` })(target, property, undefined as any);
  };
}

/**
 * A route on the collection of a @Resources controller: `@Collection() drafts()` gives
 * `GET /posts/drafts`, named `drafts_posts`.
 */
export function Collection(method: HttpMethod = 'GET', options: RouteOptions = {}): MethodDecorator {
  return (target, property) => {
    const action = String(property);
    Route(method, `/${action}`, { ...options, as: options.as ?? `@collection:${action}` })(target, property, undefined as any);
  };
}

export interface FilterOptions {
  only?: string[];
  except?: string[];
}

/**
 * Runs a controller method before the actions (all, or `only`/`except` some). A filter that renders
 * or redirects halts the request: the action does not run.
 * @example @Before('setPost', { only: ['show', 'edit', 'update', 'destroy'] })
 */
export function Before(method: string, options: FilterOptions = {}): ClassDecorator {
  return (target) => {
    registry.controller(target).filters.unshift({ kind: 'before', method, ...options, source: callSite() });
  };
}

/** Runs a controller method after the action (all, or `only`/`except` some). */
export function After(method: string, options: FilterOptions = {}): ClassDecorator {
  return (target) => {
    registry.controller(target).filters.unshift({ kind: 'after', method, ...options, source: callSite() });
  };
}

/**
 * Wraps the action in a controller method that receives `next` and must call it:
 * `async timed(next: () => Promise<unknown>) { const t = Date.now(); await next(); log(Date.now() - t); }`.
 */
export function Around(method: string, options: FilterOptions = {}): ClassDecorator {
  return (target) => {
    registry.controller(target).filters.unshift({ kind: 'around', method, ...options, source: callSite() });
  };
}

function skip(kind: 'before' | 'after' | 'around') {
  return (method: string, options: FilterOptions = {}): ClassDecorator => (target) => {
    registry.controller(target).filters.unshift({ kind: 'skip', skips: kind, method, ...options, source: callSite() });
  };
}

/** In a subclass: does not run an inherited before filter (for all actions, or `only`/`except` some). */
export const SkipBefore = skip('before');
/** In a subclass: does not run an inherited after filter. */
export const SkipAfter = skip('after');
/** In a subclass: does not run an inherited around filter. */
export const SkipAround = skip('around');

/**
 * Runs middleware for every action of the controller (on the class) or for one action (on a method).
 * A middleware is `(request, reply) => void | Promise<void>`, or a class with such a `handle` method
 * (built by the container, so it can take services); one that sends a reply halts the request.
 * @example @Use(RequireAuth) export class AdminController extends ApplicationController {}
 */
export function Use(...middleware: unknown[]): ClassDecorator & MethodDecorator {
  return ((target: any, property?: string | symbol) => {
    const owner = property === undefined ? target : target.constructor;
    const decl = registry.controller(owner);
    const source = callSite();
    const entries = middleware.map((m) => ({ middleware: m, action: property === undefined ? undefined : String(property), source }));
    if (property === undefined) decl.uses.unshift(...entries);
    else decl.uses.push(...entries);
  }) as ClassDecorator & MethodDecorator;
}
