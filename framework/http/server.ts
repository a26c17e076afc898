import { fastifyRequire } from '../support';
import { join } from 'node:path';
import querystring from 'node:querystring';
import fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { IParseOptions } from 'qs';
import { registerAssets } from '../assets';
import { registerStorage, type StorageRuntime } from '../storage';
import type { RouteDef } from '../routing';
import type { ActionController } from './controller';
import { answerClientError, sendError } from './error-pages';
import { HttpErrors } from './errors';
import type { Middleware } from './pipeline';
import { registerRoutes } from './register-routes';
import { stampingResponse } from './response';
import { QUERY_ERROR, type AppRuntime } from './runtime';
import { registerJsonParser } from './json-body';
import { installSqlCounter, requestLogController } from './request-log';
import type { RateLimiting } from '../rate-limit/internal';
import { fastifyTlsOptions, trackHttp2Sessions, type TlsSettings } from './tls';
import { fastifyLogging } from './request-logger';
import { requestHooksOnBodyRoutes } from './body-hooks';

export interface ServerSettings {
  bodyLimit: number;
  csrf: boolean;
  logger: FastifyServerOptions['logger'];
  /** With a logger: one line per request (request-log.ts) instead of fastify's two; `countSql` adds its SQL count. */
  requestLog?: { countSql: boolean };
  requestTimeout: number;
  keepAliveTimeout: number;
  headersTimeout: number;
  publicDir?: string;
  middleware: Map<unknown, Middleware>;
  /** Uploads and attachments (framework/storage): multipart bodies and signed blob URLs. */
  storage?: StorageRuntime;
  /** Most fields in a form body or a query string (config/server.toml parameter_limit; default 1000). */
  parameterLimit?: number;
  /** Rate limits (framework/rate-limit): the app-wide hook, per-action wrapping, trusted proxies. */
  rateLimits?: RateLimiting;
  /** Registers the channel routes and the channels client (framework/channels), when the app has them. */
  channels?: (app: FastifyInstance) => Promise<void>;
  /** TLS, and HTTP/2 with HTTP/1.1 on the same port (config/server.toml tls_cert, tls_key, http2). */
  tls?: TlsSettings;
  /**
   * Called with the new instance before any route is registered (framework/observability's hooks); returns the
   * hooks the not-found handler's context gets (fastify gives a setNotFoundHandler option's hooks to it alone).
   */
  instrument?: (app: FastifyInstance) => { onResponse: unknown[]; onRequestAbort: unknown[] } | void;
}

const ARRAY_LIMIT = 100;
let QS_OPTIONS: IParseOptions = { allowPrototypes: false, depth: 8, arrayLimit: ARRAY_LIMIT, parameterLimit: 1000, duplicates: 'last', throwOnLimitExceeded: true };

/** qs (Rails-style nesting), required with the first nested query string or form body: ~15 ms to load. */
let qs: typeof import('qs') | undefined;
function parseNested(str: string, where: string): Record<string, unknown> {
  qs ??= require('qs') as typeof import('qs');
  try {
    return qs.parse(str, QS_OPTIONS);
  } catch (err) {
    // qs stops at its limits instead of dropping the rest in silence: a form whose CSRF token was dropped
    // would get a baffling 403. Say why instead (413).
    if (/limit exceeded/i.test((err as Error).message)) throw tooMany(where);
    throw err;
  }
}

function tooMany(where: string) {
  return HttpErrors.TOO_MANY_PARAMETERS(where, QS_OPTIONS.parameterLimit, ARRAY_LIMIT);
}

/** More `&`-separated pairs than the limit (counted only when the string is long enough to hold that many). */
function overLimit(str: string): boolean {
  const limit = QS_OPTIONS.parameterLimit!;
  if (str.length < limit) return false;
  let pairs = 1;
  for (let i = str.indexOf('&'); i >= 0; i = str.indexOf('&', i + 1)) if (++pairs > limit) return true;
  return false;
}

/**
 * Query strings: the fast parser unless Rails-style nesting (`post[tags][]=`) is present. The router calls
 * this where an exception would escape fastify, so a query over the limits parses to an empty object that
 * carries the error: reading `params` answers it (413).
 */
function parseQuery(str: string): Record<string, unknown> {
  try {
    if (str.includes('[')) return parseNested(str, 'query string');
    if (overLimit(str)) throw tooMany('query string');
    return querystring.parse(str, '&', '=', { maxKeys: 0 }) as Record<string, unknown>;
  } catch (err) {
    const marked: Record<string | symbol, unknown> = {};
    Object.defineProperty(marked, QUERY_ERROR, { value: (err as any)?.code === HttpErrors.TOO_MANY_PARAMETERS.code ? tooMany('query string') : err });
    return marked;
  }
}

/**
 * fastify's schema compilers (Ajv for validation, fast-json-stringify for serialization), required when a
 * route first needs one instead of when fastify starts: they are ~90 modules, and only routes with typed
 * path params use one. (Routes here carry only `params` schemas, whose compilation does not depend on the
 * compiler being counted as custom; headers schemas would.) Resolved from fastify's own dependencies.
 */
type CompilerFactory = (externalSchemas: unknown, options: unknown) => any;
let validatorFactory: CompilerFactory | undefined;
let serializerFactory: CompilerFactory | undefined;
const compilersFactory = {
  buildValidator: (schemas: unknown, options: unknown) => (validatorFactory ??= fastifyRequire('@fastify/ajv-compiler')())(schemas, options),
  buildSerializer: (schemas: unknown, options: unknown) => (serializerFactory ??= fastifyRequire('@fastify/fast-json-stringify-compiler')())(schemas, options),
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
  if (settings.parameterLimit) QS_OPTIONS = { ...QS_OPTIONS, parameterLimit: settings.parameterLimit };
  const httpOptions = { ServerResponse: stampingResponse(runtime.headers.base), connectionsCheckingInterval: 1000 };
  // The per-request child logger is made only when the request logs at an enabled level; above `info`,
  // fastify gets no logger of its own, which spares every request its response listeners (request-logger.ts).
  const logging = fastifyLogging(settings.logger, settings.requestLog ? requestLogController() : undefined);
  const app = fastify({
    ...logging.options,
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
    // Node checks the headers and request timeouts on an interval (30 s by default), so a slow-header client
    // was cut off only 20-50 s in: checking every second keeps the promised timeout.
    ...(settings.tls ? fastifyTlsOptions(settings.tls, httpOptions) : { http: httpOptions as object }),
    // fastify's own errors before routing (a malformed URL such as `/posts/%`) get the app's error pages too.
    frameworkErrors: (err, req, reply) => sendError(err, req, reply, runtime),
    // ...and so do requests node could not parse at all (the built-in page: there is no request to read).
    clientErrorHandler: answerClientError,
    // X-Forwarded-For is believed only from the proxies config/server.toml trust_proxy names (req.ip).
    ...(settings.rateLimits?.trustProxy !== undefined ? { trustProxy: settings.rateLimits.trustProxy } : {}),
  } as FastifyServerOptions) as unknown as FastifyInstance;
  if (settings.tls?.http2) trackHttp2Sessions(app.server as any);
  if (logging.log) app.log = logging.log;
  runtime.log = app.log;
  runtime.attachLog = logging.attach;
  // A client that trickles its headers is cut off (slowloris); fastify exposes the other two timeouts itself.
  app.server.headersTimeout = settings.headersTimeout;

  // Metrics and tracing (framework/observability): route hooks, and the not-found handler's own.
  const notFoundHooks = settings.instrument?.(app);
  registerJsonParser(app);
  if (settings.logger !== false && settings.requestLog?.countSql) installSqlCounter(app);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      if (overLimit(body as string)) throw tooMany('form');
      done(null, parseNested(body as string, 'form'));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => sendError(err, req, reply, runtime));
  const notFoundOptions = notFoundHooks ? {
    ...(notFoundHooks.onResponse.length ? { onResponse: notFoundHooks.onResponse } : {}),
    ...(notFoundHooks.onRequestAbort.length ? { onRequestAbort: notFoundHooks.onRequestAbort } : {}),
  } : {};
  app.setNotFoundHandler(notFoundOptions as object, (req, reply) => sendError(HttpErrors.NOT_FOUND(`No route matches ${req.method} ${req.url}`), req, reply, runtime));

  // The app-wide rate limit counts every request (static files and 404s too) before anything is parsed.
  if (settings.rateLimits?.onRequest) app.addHook('onRequest', settings.rateLimits.onRequest);
  // Multipart bodies: their hooks go on the routes that can have a body, not on every GET (body-hooks.ts).
  if (settings.storage) await requestHooksOnBodyRoutes(app, () => registerStorage(app, { csrf: settings.csrf, runtime, storage: settings.storage! }));
  registerRoutes(app, routes.filter((r) => r.kind !== 'ws'), runtime, factories, { csrf: settings.csrf, bodyLimit: settings.bodyLimit, middleware: settings.middleware, rateLimits: settings.rateLimits });
  if (settings.channels) await settings.channels(app);

  if (!routes.some((r) => r.method === 'GET' && r.path === '/health')) {
    app.get('/health', { logLevel: 'silent' }, async (_req, reply) => reply.type('application/json').send('{"status":"ok"}'));
  }

  if (settings.publicDir) await registerAssets(app, { publicDir: settings.publicDir, env: runtime.env });
  return app;
}

export function publicDirOf(root: string): string {
  return join(root, 'public');
}
