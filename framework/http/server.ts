import { createRequire } from 'node:module';
import { join } from 'node:path';
import querystring from 'node:querystring';
import fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { IParseOptions } from 'qs';
import { registerAssets } from '../assets';
import type { RouteDef } from '../routing/table';
import type { ActionController } from './controller';
import { sendError } from './error-pages';
import { HttpErrors } from './errors';
import type { Middleware } from './pipeline';
import { registerRoutes } from './register-routes';
import { stampingResponse } from './response';
import type { AppRuntime } from './runtime';

export interface ServerSettings {
  bodyLimit: number;
  csrf: boolean;
  logger: FastifyServerOptions['logger'];
  requestTimeout: number;
  keepAliveTimeout: number;
  headersTimeout: number;
  publicDir?: string;
  middleware: Map<unknown, Middleware>;
  /** Registers the channel routes and the channels client (framework/channels), when the app has them. */
  channels?: (app: FastifyInstance) => Promise<void>;
}

const QS_OPTIONS: IParseOptions = { allowPrototypes: false, depth: 8, arrayLimit: 100, parameterLimit: 1000, duplicates: 'last' };

/** qs (Rails-style nesting), required with the first nested query string or form body: ~15 ms to load. */
let qs: typeof import('qs') | undefined;
function parseNested(str: string): Record<string, unknown> {
  qs ??= require('qs') as typeof import('qs');
  return qs.parse(str, QS_OPTIONS);
}

/** Query strings: the fast parser unless Rails-style nesting (`post[tags][]=`) is present. */
function parseQuery(str: string): Record<string, unknown> {
  return str.includes('[') ? parseNested(str) : (querystring.parse(str) as Record<string, unknown>);
}

/**
 * fastify's schema compilers (Ajv for validation, fast-json-stringify for serialization), required when a
 * route first needs one instead of when fastify starts: they are ~90 modules, and only routes with typed
 * path params use one. (Routes here carry only `params` schemas, whose compilation does not depend on the
 * compiler being counted as custom; headers schemas would.) Resolved from fastify's own dependencies.
 */
const fromFastify = createRequire(require.resolve('fastify'));
type CompilerFactory = (externalSchemas: unknown, options: unknown) => any;
let validatorFactory: CompilerFactory | undefined;
let serializerFactory: CompilerFactory | undefined;
const compilersFactory = {
  buildValidator: (schemas: unknown, options: unknown) => (validatorFactory ??= fromFastify('@fastify/ajv-compiler')())(schemas, options),
  buildSerializer: (schemas: unknown, options: unknown) => (serializerFactory ??= fromFastify('@fastify/fast-json-stringify-compiler')())(schemas, options),
};

/**
 * Builds the fastify instance for an app: body parsers, every route with its precomputed handler
 * (see register-routes.ts), `/health`, static files and error pages.
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
    // A worker being retired (a `stryke dev` swap, a SIGHUP reload, shutdown) still answers the requests on
    // connections it has accepted (with `Connection: close`) instead of 503: the primary keeps the socket
    // and hands new connections to the other workers, so no request is refused.
    return503OnClosing: false,
    schemaController: { compilersFactory },
    // The secure headers every response carries, serialized once (see response.ts).
    http: { ServerResponse: stampingResponse(runtime.headers.base) } as object,
  });
  runtime.log = app.log;
  // A client that trickles its headers is cut off (slowloris); fastify exposes the other two timeouts itself.
  app.server.headersTimeout = settings.headersTimeout;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseNested(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => sendError(err, req, reply, runtime));
  app.setNotFoundHandler((req, reply) => sendError(HttpErrors.NOT_FOUND(`No route matches ${req.method} ${req.url}`), req, reply, runtime));

  registerRoutes(app, routes.filter((r) => r.kind !== 'ws'), runtime, factories, { csrf: settings.csrf, middleware: settings.middleware });
  if (settings.channels) await settings.channels(app);

  if (!routes.some((r) => r.method === 'GET' && r.path === '/health')) {
    app.get('/health', async (_req, reply) => reply.type('application/json').send('{"status":"ok"}'));
  }

  if (settings.publicDir) await registerAssets(app, { publicDir: settings.publicDir, env: runtime.env });
  return app;
}

export function publicDirOf(root: string): string {
  return join(root, 'public');
}
