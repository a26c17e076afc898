import { resolve } from 'node:path';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { currentEnv, defaultHost, loadConfig, type ConfigTree } from '../config/load';
import { AppContainer } from '../di/container';
import type { ActionController } from '../http/controller';
import { RUNTIME, type AppRuntime } from '../http/runtime';
import { bodySender, compressionSettings } from '../http/compress';
import { injectLiveReload } from '../assets/live-reload';
import { buildServer, publicDirOf } from '../http/server';
import { registerReadiness } from './readiness';
import { listenRedirect, tlsSettings } from '../http/tls';
import { bindModels } from '../orm/bind';
import { Database, databaseConfig, type DatabaseConfig } from '../orm/connection';
import { registry, type Constructor } from '../registry';
import { buildPathHelpers, type PathHelpers } from '../routing/helpers';
import type { RouteDef } from '../routing/table';
import { secureHeaderSets } from '../security/headers';
import { SessionCodec } from '../security/session';
import { CONFIRM_HANDLER_SOURCE } from '../security/csp';
import { resolveMiddleware } from './middleware';
import { ViewEngine } from '../views/engine';
import { buildDirOf } from './loader';
import { appRoutes } from './routes';
import { secretKeyBase } from './secret';
import { setPaths } from './paths';
import { startAppJobs, type JobWorkersStart } from './jobs';
import { startAppMailers } from './mailers';
import { mountAppDashboard } from './dashboard';
import { configureStorage, resetStorage, storageSettings } from '../storage';
import { buildAuthRuntime, currentUserOf } from '../auth/boot';
import { countStatementsOf, readableLogStream } from '../http/request-log';
import { prepareRateLimits, setRateLimitUserResolver, type RateLimiting } from '../rate-limit';
import { prepareChannels, registerClient, setChannelUserResolver, startFabric } from '../channels';
import { endOpenStreams } from '../http/sse';
import { setupObservability, withRequestIds, type Observability } from '../observability';

export interface CreateAppOptions {
  /** The app's directory (holding app/, config/, db/ and the compiled build/). */
  root: string;
  /** development, test or production (default: STRYKE_ENV, NODE_ENV, development). */
  env?: string;
  /** Override config/database.toml (and DATABASE_URL) for this process. */
  database?: DatabaseConfig;
  /** Where the app's compiled code lives (default: `<root>/build`). */
  buildDir?: string;
  /** Pino logger options, or false. Default: info-level JSON logs, none in test. */
  logger?: FastifyServerOptions['logger'];
  /**
   * When the app's in-process job workers (`workers_per_core` in config/jobs.toml) start: during boot (the
   * default), after the server's first response or a second after `listen` (what `stryke server`, `start`
   * and `dev` do, so a worker process answers sooner), or never (`stryke console`, `db seed`: a process
   * that only enqueues). The queues are configured and readied during boot in every case.
   */
  jobWorkers?: JobWorkersStart;
}

/** A booted application: config, database, container, routes and the fastify server, built once. */
export interface App {
  root: string;
  env: string;
  config: ConfigTree;
  db: Database;
  container: AppContainer;
  routes: RouteDef[];
  paths: PathHelpers;
  server: FastifyInstance;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** The signed-in user of any request (a WebSocket upgrade...), through the app's @Authenticator; null without one. */
  currentUserOf(request: FastifyRequest): Promise<unknown>;
  /** Metrics and tracing as booted (framework/observability): `observability.address()` is the metrics URL this process serves. */
  observability: Observability;
}

/**
 * Boots an app, once per process: loads config/*.toml, requires the compiled app/ code, reads the
 * decorators' registry, checks and builds the DI container, binds the models to the database, builds
 * the route table with each route's precomputed handler, and compiles the views. Nothing here runs
 * again per request.
 */
export async function createApp(options: CreateAppOptions): Promise<App> {
  const root = resolve(options.root);
  const env = options.env ?? currentEnv();
  const config = loadConfig(root, env);
  const build = options.buildDir ? resolve(options.buildDir) : buildDirOf(root);
  const { routes } = appRoutes(root, build);

  const models = registry.within(registry.models, build);
  const services = registry.within(registry.services, build).map((s) => s.target);

  const container = new AppContainer(services);
  const dbConfig = options.database ?? databaseConfig(config.database);
  const db = await Database.connect(dbConfig, root);
  let jobs: Awaited<ReturnType<typeof startAppJobs>>;
  let closeMailers: (() => void) | undefined;
  let rateLimits: RateLimiting | undefined;
  let stopFabric: (() => Promise<void>) | undefined;
  let closeDashboard: (() => Promise<void>) | undefined;
  try {
    container.provide('config', config);
    container.provide(Database, db);
    bindModels(models, db, { env });
    jobs = await startAppJobs(root, build, config, dbConfig, options.jobWorkers);

    const factories = new Map<Function, () => ActionController>();
    for (const Ctor of new Set(routes.filter((r) => r.kind !== 'ws').map((r) => r.controller as Constructor<ActionController>))) {
      const args = container.argumentsFor(Ctor);
      factories.set(Ctor, args.length ? () => new Ctor(...args) : () => new Ctor());
    }
    const middleware = resolveMiddleware(routes, container);

    const server = config.server ?? {};
    const paths = buildPathHelpers(routes, server.url ?? `http://localhost:${server.port ?? 3000}`);
    setPaths(paths);
    const secret = secretKeyBase(root, env, config);
    const storage = configureStorage(storageSettings(root, config, env), secret, db);
    const runtime: AppRuntime = {
      env,
      views: new ViewEngine(root, paths),
      paths,
      sessions: new SessionCodec(secret),
      sessionCookie: { name: server.session_cookie ?? '_stryke_session', secure: env === 'production' },
      headers: secureHeaderSets(server.headers, env, [CONFIRM_HANDLER_SOURCE]),
      unpermitted: server.unpermitted_parameters ?? (env === 'production' ? 'ignore' : 'log'),
      log: undefined as any,
      send: bodySender(compressionSettings(server), env === 'development' && process.env.STRYKE_LIVE_RELOAD === '1' ? injectLiveReload : undefined),
      auth: buildAuthRuntime(registry.within(registry.authenticators, build), routes, container),
      sse: { open: 0, max: Number(server.sse_max_streams ?? 1000) },
    };
    // Development logs read as lines (`GET /posts -> PostsController#index 200 in 4.2 ms (3 SQL)`); elsewhere JSON.
    const readable = options.logger === undefined && env === 'development';
    // Production logs warnings and failed requests unless server.toml asks for more (`log_level = "info"`: a
    // line per request, a write to stdout each).
    const level = server.log_level ?? (env === 'production' ? 'warn' : 'info');
    const logger = withRequestIds(options.logger ?? (env === 'test' ? false : { level, ...(readable ? { stream: readableLogStream() } : {}) }));
    const observability = setupObservability(server);
    if (readable) countStatementsOf(db);
    // `@RateLimit({ by: 'user' })` counts per signed-in user: the app's authenticator says who that is.
    if (runtime.auth) setRateLimitUserResolver(async (req) => (await currentUserOf(runtime, req) as { id?: string | number } | null)?.id ?? null);
    rateLimits = await prepareRateLimits(server, routes, env, () => runtime.log);
    // Channels find their `this.currentUser` through the same authenticator, over the upgrade's cookie session.
    const auth = runtime.auth;
    if (auth) setChannelUserResolver((session, request) => auth.resolve({ session, request: request as unknown as FastifyRequest }));
    const channels = prepareChannels({
      config, routes, container, env, sessions: runtime.sessions, sessionCookie: runtime.sessionCookie.name, appUrl: server.url, database: dbConfig,
    });
    const tls = tlsSettings(root, server);
    let redirect: import('node:http').Server | undefined;
    const fastify = await buildServer(routes, runtime, factories, {
      tls,
      bodyLimit: server.body_limit ?? 1024 * 1024,
      csrf: server.csrf ?? true,
      logger,
      requestLog: { countSql: readable },
      requestTimeout: (server.request_timeout ?? 30) * 1000,
      keepAliveTimeout: (server.keep_alive_timeout ?? 72) * 1000,
      headersTimeout: (server.headers_timeout ?? 20) * 1000,
      publicDir: publicDirOf(root),
      middleware,
      storage,
      parameterLimit: server.parameter_limit,
      rateLimits,
      channels: async (app) => {
        registerClient(app);
        if (channels.routes.length) await channels.server.register(app, channels.routes);
      },
      instrument: (app) => observability.instrumentServer(app),
    });
    observability.instrumentData(db, fastify.log, jobs !== undefined);
    if (!routes.some((r) => r.method === 'GET' && r.path === '/ready')) registerReadiness(fastify, { root, env, db, dbConfig, jobs });
    closeMailers = startAppMailers(root, build, env, config, routes, fastify);
    closeDashboard = await mountAppDashboard(fastify, {
      root, env, config, database: dbConfig, secret, signInPath: runtime.auth?.signInPath, currentUserOf: (request) => currentUserOf(runtime, request),
    });
    await fastify.ready();
    stopFabric = await startFabric(channels.settings, runtime.log);

    return {
      root, env, config, db, container, routes, paths, server: fastify,
      async listen(port = Number(server.port ?? 3000), host = String(server.host ?? defaultHost(env))) {
        const address = await fastify.listen({ port, host });
        if (tls?.redirectPort !== undefined) {
          const httpsPort = (fastify.server.address() as import('node:net').AddressInfo).port;
          redirect = await listenRedirect(tls.redirectPort, host, httpsPort);
        }
        jobs?.startWorkersAfterFirstResponse(fastify.server);
        await observability.listen();
        return address;
      },
      currentUserOf: (request) => currentUserOf(runtime, request),
      observability,
      async close() {
        // Sockets close with 1001 and event streams end first: neither holds the shutdown (see drain.ts).
        endOpenStreams(fastify);
        await channels.server.close();
        redirect?.close();
        redirect?.closeAllConnections();
        await fastify.close();
        await rateLimits?.close();
        await stopFabric?.();
        await observability.close();
        if (jobs) await jobs.stop();
        await closeDashboard?.();
        closeMailers?.();
        resetStorage(storage);
        await db.close();
      },
    };
  } catch (err) {
    await rateLimits?.close();
    await stopFabric?.();
    if (jobs) await jobs.stop();
    await closeDashboard?.();
    closeMailers?.();
    await db.close();
    throw err;
  }
}

export { RUNTIME };
