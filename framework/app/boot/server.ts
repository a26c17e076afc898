import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { registerClient, type ChannelsBoot } from '../../channels/internal';
import type { ActionController, Middleware } from '../../http';
import type { AppRuntime } from '../../http/internal';
import { buildServer, publicDirOf, tlsSettings } from '../../http/internal';
import type { Observability } from '../../observability';
import type { RateLimiting } from '../../rate-limit/internal';
import type { RouteDef } from '../../routing';
import type { StorageRuntime } from '../../storage';

/** What the fastify server is built from: the other boot steps' results. */
export interface ServerParts {
  root: string;
  server: Record<string, any>;
  routes: RouteDef[];
  runtime: AppRuntime;
  factories: Map<Function, () => ActionController>;
  middleware: Map<unknown, Middleware>;
  storage: StorageRuntime;
  rateLimits: RateLimiting;
  channels: ChannelsBoot;
  observability: Observability;
  logger: FastifyServerOptions['logger'];
  readable: boolean;
}

/**
 * Boot step: the fastify server with config/server.toml's limits and timeouts, TLS, the app's routes, storage's
 * multipart and blob routes, the rate limits, the channels' WebSocket routes and the observability hooks.
 */
export async function bootServer(parts: ServerParts): Promise<{ fastify: FastifyInstance; tls: ReturnType<typeof tlsSettings> }> {
  const { server, channels, observability } = parts;
  const tls = tlsSettings(parts.root, server);
  const fastify = await buildServer(parts.routes, parts.runtime, parts.factories, {
    tls,
    bodyLimit: server.body_limit ?? 1024 * 1024,
    csrf: server.csrf ?? true,
    logger: parts.logger,
    requestLog: { countSql: parts.readable },
    requestTimeout: (server.request_timeout ?? 30) * 1000,
    keepAliveTimeout: (server.keep_alive_timeout ?? 72) * 1000,
    headersTimeout: (server.headers_timeout ?? 20) * 1000,
    publicDir: publicDirOf(parts.root),
    middleware: parts.middleware,
    storage: parts.storage,
    parameterLimit: server.parameter_limit,
    rateLimits: parts.rateLimits,
    channels: async (app) => {
      registerClient(app);
      if (channels.routes.length) await channels.server.register(app, channels.routes);
    },
    instrument: (app) => observability.instrumentServer(app),
  });
  return { fastify, tls };
}
