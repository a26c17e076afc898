import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions as FastifyRouteOptions } from 'fastify';
import type { RouteDef } from '../routing/table';
import type { ActionController } from './controller';
import { HttpErrors } from './errors';
import { buildHandler, middlewareHook, type Handler, type Middleware } from './pipeline';
import { BODY_CONTENT_TYPE, FORMAT, type AppRuntime } from './runtime';

const TUNNELLED = new Set(['PUT', 'PATCH', 'DELETE']);

export interface RegisterSettings {
  csrf: boolean;
  /** Middleware functions by what was declared (a function, or a class resolved through the container). */
  middleware: Map<unknown, Middleware>;
}

interface Group {
  path: string;
  host?: string;
  verbs: Map<string, { handler: Handler; route: RouteDef }>;
}

function asJson(handler: Handler): Handler {
  return (req, reply) => {
    (req.raw as any)[FORMAT] = 'json';
    return handler(req, reply);
  };
}

function methodOverride(verbs: Group['verbs']): Handler {
  const post = verbs.get('POST')?.handler;
  return async (req, reply) => {
    const body = req.body as Record<string, unknown> | undefined;
    const override = body && typeof body === 'object' && typeof body._method === 'string' ? body._method.toUpperCase() : undefined;
    if (override === undefined || override === 'POST') {
      if (post) return post(req, reply);
      throw HttpErrors.NOT_FOUND(`No route matches POST ${req.url}`);
    }
    if (!TUNNELLED.has(override)) throw HttpErrors.BAD_METHOD_OVERRIDE(override.toLowerCase());
    const target = verbs.get(override)?.handler;
    if (!target) throw HttpErrors.NOT_FOUND(`No route matches ${override} ${req.url}`);
    return target(req, reply);
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

const PARAM_SCHEMAS: Record<string, object> = {
  integer: { type: 'integer' },
  number: { type: 'number' },
  string: { type: 'string' },
  boolean: { type: 'boolean' },
  uuid: { type: 'string', format: 'uuid' },
};

/** A JSON schema for typed path parameters: fastify checks it (400) and converts the values. */
function paramsSchema(params: Record<string, string>): object {
  const properties: Record<string, object> = {};
  for (const [name, type] of Object.entries(params)) properties[name] = PARAM_SCHEMAS[type] ?? PARAM_SCHEMAS.string!;
  return { type: 'object', properties };
}

/**
 * Registers every route on fastify with its precomputed handler. Each path also answers with a `.json`
 * suffix, its handlers fixing the format: a static path or one ending in a typed parameter is routed a
 * second time with the suffix (`/posts.json`), and a path ending in a plain parameter reads the suffix
 * off that parameter's value (see jsonSuffix), so no URL is rewritten per request. Paths with
 * PATCH/PUT/DELETE routes get a POST dispatcher for HTML forms' `_method` (POST only, never GET).
 */
export function registerRoutes(app: FastifyInstance, routes: RouteDef[], runtime: AppRuntime, factories: Map<Function, () => ActionController>, settings: RegisterSettings): void {
  const groups = new Map<string, Group>();
  for (const route of routes) {
    // ws routes are the channels' (framework/channels), registered by the server beside these.
    const handler = buildHandler(route, runtime, factories.get(route.controller)!, settings.csrf);
    const path = constrainFormat(route.path, route.formats);
    const key = `${route.constraints?.host ?? ''} ${path}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { path, host: route.constraints?.host, verbs: new Map() }));
    group.verbs.set(route.method, { handler, route });
  }

  for (const group of groups.values()) {
    const tunnelled = [...group.verbs.keys()].some((m) => TUNNELLED.has(m));
    const variants: [string, (h: Handler) => Handler][] = [[group.path, (h) => h]];
    const param = trailingParam(group.path);
    // A typed parameter is checked before the handler runs (`42.json` is no integer): those paths keep a route of their own.
    const typed = param !== undefined && [...group.verbs.values()].some(({ route }) => route.params?.[param] !== undefined);
    if (param !== undefined && !typed) variants[0] = [group.path, (h) => jsonSuffix(param, h)];
    else if (group.path !== '/' && !group.path.endsWith('/') && !group.path.includes(':format')) variants.push([`${group.path}.json`, asJson]);
    const common = (route: RouteDef): Partial<FastifyRouteOptions> => {
      const hooks = route.middleware.map((m) => middlewareHook(settings.middleware.get(m)!));
      return {
        ...(group.host ? { constraints: { host: group.host } } : {}),
        ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
        ...(hooks.length ? { preHandler: hooks } : {}),
        ...(route.stream ? { preParsing: [streamBody] } : {}),
        ...(route.params ? { schema: { params: paramsSchema(route.params) } } : {}),
      };
    };
    for (const [url, wrap] of variants) {
      for (const [method, { handler, route }] of group.verbs) {
        if (method === 'POST' && tunnelled) continue;
        app.route({ method: method as any, url, handler: wrap(handler) as (req: FastifyRequest, reply: FastifyReply) => any, ...common(route) });
      }
      if (tunnelled) {
        // The dispatcher runs the middleware of the route it dispatches to: take the first verb's (they share a controller in practice).
        const first = [...group.verbs.values()][0]!.route;
        app.route({ method: 'POST', url, handler: wrap(methodOverride(group.verbs)), ...common(first) });
      }
    }
  }
}
