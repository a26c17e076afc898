import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions as FastifyRouteOptions } from 'fastify';
import type { RouteDef } from '../routing';
import type { ActionController } from './controller';
import { HttpErrors } from './errors';
import { buildHandler, type Handler, type Middleware } from './pipeline';
import { runHandlerInScope } from './request-context';
import { BODY_CONTENT_TYPE, FORMAT, type AppRuntime } from './runtime';
import type { RateLimiting } from '../rate-limit/internal';

const TUNNELLED = new Set(['PUT', 'PATCH', 'DELETE']);

export interface RegisterSettings {
  csrf: boolean;
  /** The app's default body limit, in bytes (config/server.toml's body_limit). */
  bodyLimit: number;
  /** Middleware functions by what was declared (a function, or a class resolved through the container). */
  middleware: Map<unknown, Middleware>;
  /** Wraps each action's handler with its `@RateLimit` counters (framework/rate-limit). */
  rateLimits?: Pick<RateLimiting, 'wrap'>;
}

interface Entry {
  handler: Handler;
  route: RouteDef;
}

interface Group {
  path: string;
  host?: string;
  verbs: Map<string, Entry>;
}

/**
 * The handler run inside its request's context (see request-context.ts), so stray errors name the request;
 * first, when fastify has no logger (above `info`), the request gets its `request.log` (request-logger.ts).
 */
function inContext(handler: Handler, attachLog: AppRuntime['attachLog']): Handler {
  if (attachLog) {
    return (req, reply) => {
      attachLog(req, reply);
      return runHandlerInScope(handler, req, reply);
    };
  }
  return (req, reply) => runHandlerInScope(handler, req, reply);
}

function asJson(handler: Handler): Handler {
  return (req, reply) => {
    (req.raw as any)[FORMAT] = 'json';
    return handler(req, reply);
  };
}

/**
 * The POST route of a path with PATCH/PUT/DELETE routes: a form's `_method` field picks the route, and
 * that route's own handler runs (its middleware, CSRF check, filters and typed parameters: see
 * buildHandler). This route's body limit is the largest of the path's; a route with a smaller one gets
 * the body only when its Content-Length fits. A `stream: true` route cannot be tunnelled to (its body is
 * never parsed, so it has no `_method`).
 */
function methodOverride(verbs: Group['verbs'], limitOf: (route: RouteDef) => number, dispatcherLimit: number): Handler {
  const post = verbs.get('POST')?.handler;
  return async (req, reply) => {
    const body = req.body as Record<string, unknown> | undefined;
    const override = body && typeof body === 'object' && typeof body._method === 'string' ? body._method.toUpperCase() : undefined;
    if (override === undefined || override === 'POST') {
      if (post) return post(req, reply);
      throw HttpErrors.NOT_FOUND(`No route matches POST ${req.url}`);
    }
    if (!TUNNELLED.has(override)) throw HttpErrors.BAD_METHOD_OVERRIDE(override.toLowerCase());
    const target = verbs.get(override);
    if (!target) throw HttpErrors.NOT_FOUND(`No route matches ${override} ${req.url}`);
    const { route } = target;
    if (route.stream) throw HttpErrors.OVERRIDE_STREAM(override.toLowerCase(), `${route.controller.name}#${route.action}`, override);
    const limit = limitOf(route);
    if (limit < dispatcherLimit) {
      const length = req.headers['content-length'];
      if (length === undefined) throw HttpErrors.OVERRIDE_LENGTH_REQUIRED(override.toLowerCase(), limit);
      if (Number(length) > limit) throw HttpErrors.BODY_TOO_LARGE(length, limit);
    }
    return target.handler(req, reply);
  };
}

/** `/posts/:id` -> `id`: the name of a path's last segment when it is one plain parameter. */
function trailingParam(path: string): string | undefined {
  return /\/:([A-Za-z_$][\w$]*)$/.exec(path)?.[1];
}

/**
 * For a path ending in a parameter (`/posts/:id`): `/posts/42.json` matches the route itself with id
 * `42.json`, and this moves the suffix to the format. (A `/posts/:id.json` route beside it would make the
 * radix router try a regular expression on every request to the path: about 2% of a small request.)
 */
function jsonSuffix(param: string, handler: Handler): Handler {
  return (req, reply) => {
    const params = req.params as Record<string, string>;
    const value = params[param]!;
    if (value.length > 5 && value.endsWith('.json')) {
      params[param] = value.slice(0, -5);
      (req.raw as any)[FORMAT] = 'json';
    }
    return handler(req, reply);
  };
}

/** `/feed.:format` with formats [json, atom] -> `/feed.:format(^(json|atom)$)`: the router itself refuses others. */
function constrainFormat(path: string, formats: string[] | undefined): string {
  if (!formats?.length) return path;
  const alternatives = formats.map((f) => f.replace(/[^A-Za-z0-9_-]/g, '')).join('|');
  return path.replace(/:format\b/, `:format(^(${alternatives})$)`);
}

/**
 * For `stream: true` routes: keeps the body out of fastify's parsers, so the action reads it from the
 * socket as it arrives (with backpressure) instead of after it was buffered.
 */
async function streamBody(req: FastifyRequest, _reply: FastifyReply, payload: unknown) {
  const headers = req.raw.headers;
  (req.raw as any)[BODY_CONTENT_TYPE] = headers['content-type'];
  delete headers['content-type'];
  delete headers['content-length'];
  delete headers['transfer-encoding'];
  return payload as any;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The server decodes no Content-Encoding on request bodies: a compressed body would reach the parsers as
 * bytes they misread, so it is refused (415) instead of ignored. `stream: true` routes read the raw body
 * and its headers themselves, and are left alone.
 */
async function refuseEncodedBody(req: FastifyRequest, _reply: FastifyReply, payload: unknown) {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') throw HttpErrors.UNSUPPORTED_ENCODING(encoding);
  return payload as any;
}

/**
 * Registers every route on fastify with its precomputed handler. Each path also answers with a `.json`
 * suffix, its handlers fixing the format: a static path is routed a
 * second time with the suffix (`/posts.json`), and a path ending in a parameter reads the suffix
 * off that parameter's value (see jsonSuffix), so no URL is rewritten per request. Paths with
 * PATCH/PUT/DELETE routes get a POST dispatcher for HTML forms' `_method` (POST only, never GET).
 */
export function registerRoutes(app: FastifyInstance, routes: RouteDef[], runtime: AppRuntime, factories: Map<Function, () => ActionController>, settings: RegisterSettings): void {
  const groups = new Map<string, Group>();
  for (const route of routes) {
    // ws routes are the channels' (framework/channels), registered by the server beside these.
    const middleware = route.middleware.map((m) => settings.middleware.get(m)!);
    let handler = buildHandler(route, runtime, factories.get(route.controller)!, settings.csrf, middleware);
    // The action's rate limits wrap its handler, which every way to it runs (.json, HEAD, the _method dispatcher).
    if (settings.rateLimits) handler = settings.rateLimits.wrap(route, handler);
    handler = inContext(handler, runtime.attachLog);
    const path = constrainFormat(route.path, route.formats);
    const key = `${route.constraints?.host ?? ''} ${path}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { path, host: route.constraints?.host, verbs: new Map() }));
    group.verbs.set(route.method, { handler, route });
  }
  const limitOf = (route: RouteDef) => route.bodyLimit ?? settings.bodyLimit;

  for (const group of groups.values()) {
    const post = group.verbs.get('POST');
    // A streamed POST has no parsed body to read `_method` from: its path gets no tunnel.
    const tunnelled = !post?.route.stream && [...group.verbs.keys()].some((m) => TUNNELLED.has(m));
    const variants: [string, (h: Handler) => Handler][] = [[group.path, (h) => h]];
    const param = trailingParam(group.path);
    if (param !== undefined) variants[0] = [group.path, (h) => jsonSuffix(param, h)];
    else if (group.path !== '/' && !group.path.endsWith('/') && !group.path.includes(':format')) variants.push([`${group.path}.json`, asJson]);
    // Only what fastify must know before the handler runs: the host constraint, the body limit and how
    // the body is read. Everything else about a route lives in its handler (see buildHandler).
    // For the request log: which action answers each verb on this path (the POST dispatcher serves several).
    const actions = Object.fromEntries([...group.verbs].map(([m, v]) => [m, `${v.route.controller.name}#${v.route.action}`]));
    const options = (method: string, bodyLimit: number | undefined, stream: boolean | undefined): Partial<FastifyRouteOptions> => ({
      ...(group.host ? { constraints: { host: group.host } } : {}),
      ...(bodyLimit ? { bodyLimit } : {}),
      ...(stream ? { preParsing: [streamBody] } : BODY_METHODS.has(method) ? { preParsing: [refuseEncodedBody] } : {}),
      config: { strykeActions: actions },
    });
    const limits = [...group.verbs.values()].filter(({ route }) => !route.stream).map(({ route }) => limitOf(route));
    const dispatcherLimit = limits.length ? Math.max(...limits) : settings.bodyLimit;
    for (const [url, wrap] of variants) {
      for (const [method, { handler, route }] of group.verbs) {
        if (method === 'POST' && tunnelled) continue;
        app.route({ method: method as any, url, handler: wrap(handler) as (req: FastifyRequest, reply: FastifyReply) => any, ...options(method, route.bodyLimit, route.stream) });
      }
      if (tunnelled) {
        const limit = dispatcherLimit === settings.bodyLimit ? undefined : dispatcherLimit;
        app.route({ method: 'POST', url, handler: wrap(methodOverride(group.verbs, limitOf, dispatcherLimit)), ...options('POST', limit, false) });
      }
    }
  }
}
