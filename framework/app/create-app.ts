import { basename, resolve } from 'node:path';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { currentUserOf } from '../auth';
import { prepareChannels, startFabric } from '../channels/internal';
import { currentEnv, defaultHost, loadConfig, type ConfigTree } from '../config';
import { AppContainer } from '../di/internal';
import { countStatementsOf, endOpenStreams, listenRedirect, RUNTIME, type AppRuntime } from '../http/internal';
import { setupObservability, type Observability } from '../observability';
import type { Database, DatabaseConfig } from '../orm';
import { prepareRateLimits, type RateLimiting } from '../rate-limit/internal';
import { registry } from '../registry';
import type { PathHelpers, RouteDef } from '../routing';
import { buildPathHelpers } from '../routing/internal';
import { configureStorage, resetStorage, storageSettings } from '../storage/internal';
import { controllerFactories } from './boot/controllers';
import { mountAppDashboard } from './boot/dashboard';
import { connectDatabase, installModels } from './boot/database';
import { startAppJobs, type JobWorkersStart } from './boot/jobs';
import { startAppMailers } from './boot/mailers';
import { registerReadiness } from './boot/readiness';
import { appLogger, buildRuntime, channelUserOf, rateLimitUserOf } from './boot/runtime';
import { bootServer } from './boot/server';
import { buildDirOf } from './loader';
import { resolveMiddleware } from './middleware';
import { setPaths } from './paths';
import { appRoutes } from './routes';
import { secretKeyBase } from './secret';
import { closeCache, configureCache } from '../cache/internal';

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
 * Boots an app: loads config/*.toml, requires the compiled app/ code and reads the decorators' registry, then runs
 * the concerns' boot steps (./boot/*.ts) in order: database and models, jobs, controller factories and middleware,
 * path helpers, storage, the request runtime, logging and observability, rate limits, channels, the fastify
 * server, readiness, mailers, the job dashboard, the broadcast fabric. Everything is built here once; nothing runs
 * again per request. An app's authenticator serves its own rate limits and channels, so several apps in one
 * process each keep theirs.
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
  const { db, dbConfig } = await connectDatabase(root, config, options.database);
  let jobs: Awaited<ReturnType<typeof startAppJobs>>;
  let closeMailers: (() => void) | undefined;
  let rateLimits: RateLimiting | undefined;
  let stopFabric: (() => Promise<void>) | undefined;
  let closeDashboard: (() => Promise<void>) | undefined;
  try {
    installModels(container, config, db, models, env);
    jobs = await startAppJobs(root, build, config, dbConfig, options.jobWorkers, container);

    const factories = controllerFactories(routes, container);
    const middleware = resolveMiddleware(routes, container);

    const server = config.server ?? {};
    const paths = buildPathHelpers(routes, server.url ?? `http://localhost:${server.port ?? 3000}`);
    setPaths(paths);
    const secret = secretKeyBase(root, env, config);
    const storage = configureStorage(storageSettings(root, config, env), secret, db);
    configureCache(config.cache, basename(root));
    const runtime: AppRuntime = buildRuntime({ root, env, server, paths, secret, routes, container, build });
    const { logger, readable } = appLogger(options.logger, env, server);
    const observability = setupObservability(server);
    if (readable) countStatementsOf(db);
    rateLimits = await prepareRateLimits(server, routes, env, () => runtime.log, rateLimitUserOf(runtime));
    const channels = prepareChannels({
      config, routes, container, env, sessions: runtime.sessions, sessionCookie: runtime.sessionCookie.name, appUrl: server.url, database: dbConfig,
      currentUser: channelUserOf(runtime),
    });
    let redirect: import('node:http').Server | undefined;
    const { fastify, tls } = await bootServer({
      root, server, routes, runtime, factories, middleware, storage, rateLimits, channels, observability, logger, readable,
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
        await closeCache();
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
