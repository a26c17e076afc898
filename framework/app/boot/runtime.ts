import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { injectLiveReload } from '../../assets';
import { currentUserOf } from '../../auth';
import { buildAuthRuntime } from '../../auth/internal';
import type { CurrentUserResolver } from '../../channels';
import type { AppContainer } from '../../di/internal';
import { bodySender, compressionSettings, readableLogStream, secureHeaderSets, type AppRuntime } from '../../http/internal';
import { withRequestIds } from '../../observability/internal';
import type { RateLimitUserResolver } from '../../rate-limit';
import { registry } from '../../registry';
import type { PathHelpers, RouteDef } from '../../routing';
import { CONFIRM_HANDLER_SOURCE, SessionCodec } from '../../security';
import { ViewEngine } from '../../views';

/** Boot step: what every request of the app reads (views, sessions, secure headers, the authenticator...), built once. */
export function buildRuntime(app: { root: string; env: string; server: Record<string, any>; paths: PathHelpers; secret: string; routes: RouteDef[]; container: AppContainer; build: string }): AppRuntime {
  const { env, server } = app;
  return {
    env,
    views: new ViewEngine(app.root, app.paths),
    paths: app.paths,
    sessions: new SessionCodec(app.secret),
    sessionCookie: { name: server.session_cookie ?? '_stryke_session', secure: env === 'production' },
    headers: secureHeaderSets(server.headers, env, [CONFIRM_HANDLER_SOURCE]),
    unpermitted: server.unpermitted_parameters ?? (env === 'production' ? 'ignore' : 'log'),
    log: undefined as any,
    send: bodySender(compressionSettings(server), env === 'development' && process.env.STRYKE_LIVE_RELOAD === '1' ? injectLiveReload : undefined),
    auth: buildAuthRuntime(registry.within(registry.authenticators, app.build), app.routes, app.container),
    sse: { open: 0, max: Number(server.sse_max_streams ?? 1000) },
  };
}

/**
 * Boot step: the app's logger. Development logs read as lines (`GET /posts -> PostsController#index 200 in 4.2 ms
 * (3 SQL)`); elsewhere JSON. Production logs warnings and failed requests unless server.toml asks for more
 * (`log_level = "info"`: a line per request, a write to stdout each).
 */
export function appLogger(given: FastifyServerOptions['logger'] | undefined, env: string, server: Record<string, any>): { logger: FastifyServerOptions['logger']; readable: boolean } {
  const readable = given === undefined && env === 'development';
  const level = server.log_level ?? (env === 'production' ? 'warn' : 'info');
  return { logger: withRequestIds(given ?? (env === 'test' ? false : { level, ...(readable ? { stream: readableLogStream() } : {}) })), readable };
}

/** `@RateLimit({ by: 'user' })` counts per signed-in user: this app's authenticator says who that is. */
export function rateLimitUserOf(runtime: AppRuntime): RateLimitUserResolver | undefined {
  if (!runtime.auth) return undefined;
  return async (req) => (await currentUserOf(runtime, req) as { id?: string | number } | null)?.id ?? null;
}

/** Channels find their `this.currentUser` through the same authenticator, over the upgrade's cookie session. */
export function channelUserOf(runtime: AppRuntime): CurrentUserResolver | undefined {
  const auth = runtime.auth;
  if (!auth) return undefined;
  return (session, request) => auth.resolve({ session, request: request as unknown as FastifyRequest });
}
