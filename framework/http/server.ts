import { join } from 'node:path';
import querystring from 'node:querystring';
import fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import qs from 'qs';
import { registerAssets } from '../assets';
import type { RouteDef } from '../routing/table';
import type { ActionController } from './controller';
import { sendError } from './error-pages';
import { HttpErrors } from './errors';
import { FORMAT } from './runtime';
import { buildHandler, type Handler } from './pipeline';
import type { AppRuntime } from './runtime';

export interface ServerSettings {
  bodyLimit: number;
  csrf: boolean;
  logger: FastifyServerOptions['logger'];
  requestTimeout: number;
  keepAliveTimeout: number;
  publicDir?: string;
}

const QS_OPTIONS: qs.IParseOptions = { allowPrototypes: false, depth: 8, arrayLimit: 100, parameterLimit: 1000, duplicates: 'last' };

/** Query strings: the fast parser unless Rails-style nesting (`post[tags][]=`) is present. */
function parseQuery(str: string): Record<string, unknown> {
  return str.includes('[') ? qs.parse(str, QS_OPTIONS) : (querystring.parse(str) as Record<string, unknown>);
}

const TUNNELLED = new Set(['PUT', 'PATCH', 'DELETE']);

/**
 * Builds the fastify instance for an app: body parsers, the `.json` suffix, every route with its
 * precomputed handler, `_method` tunnelling for forms, `/health`, static files and error pages.
 */
export async function buildServer(
  routes: RouteDef[],
  runtime: AppRuntime,
  factories: Map<Function, () => ActionController>,
  settings: ServerSettings,
): Promise<FastifyInstance> {
  const app = fastify({
    logger: settings.logger,
    bodyLimit: settings.bodyLimit,
    requestTimeout: settings.requestTimeout,
    keepAliveTimeout: settings.keepAliveTimeout,
    routerOptions: { querystringParser: parseQuery, ignoreTrailingSlash: true },
    requestIdHeader: 'x-request-id',
  });
  runtime.log = app.log;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, qs.parse(body as string, QS_OPTIONS));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => sendError(err, req, reply, runtime));
  app.setNotFoundHandler((req, reply) => sendError(HttpErrors.NOT_FOUND(`No route matches ${req.method} ${req.url}`), req, reply, runtime));

  const byPath = new Map<string, Map<string, Handler>>();
  for (const route of routes) {
    const handler = buildHandler(route, runtime, factories.get(route.controller)!, settings.csrf);
    let verbs = byPath.get(route.path);
    if (!verbs) byPath.set(route.path, (verbs = new Map()));
    verbs.set(route.method, handler);
  }

  for (const [path, verbs] of byPath) {
    const tunnelled = [...verbs.keys()].some((m) => TUNNELLED.has(m));
    // Each path is also routed with a `.json` suffix (`/posts/:id.json`), whose handlers fix the format:
    // the radix router does the matching, so no URL rewriting runs on every request.
    const variants: [string, (h: Handler) => Handler][] = [[path, (h) => h]];
    if (path !== '/' && !path.endsWith('/')) variants.push([`${path}.json`, asJson]);
    for (const [url, wrap] of variants) {
      for (const [method, handler] of verbs) {
        if (method === 'POST' && tunnelled) continue;
        app.route({ method: method as any, url, handler: wrap(handler) });
      }
      // HTML forms can only GET and POST: a POST with _method=patch|put|delete runs that verb's action.
      if (tunnelled) app.route({ method: 'POST', url, handler: wrap(methodOverride(verbs)) });
    }
  }

  if (!byPath.get('/health')?.has('GET')) {
    app.get('/health', async (_req, reply) => reply.type('application/json').send('{"status":"ok"}'));
  }

  if (settings.publicDir) await registerAssets(app, { publicDir: settings.publicDir, env: runtime.env });
  return app;
}

function asJson(handler: Handler): Handler {
  return (req, reply) => {
    (req.raw as any)[FORMAT] = 'json';
    return handler(req, reply);
  };
}

function methodOverride(verbs: Map<string, Handler>): Handler {
  const post = verbs.get('POST');
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
    return target(req, reply);
  };
}

export function publicDirOf(root: string): string {
  return join(root, 'public');
}
