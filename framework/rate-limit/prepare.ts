/** Builds the app's rate limits at boot (the app's boot calls it through ./internal.ts). */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDef } from '../routing';
import { rateLimitSettings, trustProxySetting, type RateLimitSettings } from './config';
import type { RateLimitUserResolver } from './identity';
import { Limiter, limitsFor } from './limiter';
import { localStore, openStore } from './store';

/** The app-wide counter's name (no `@RateLimit` name can take it: those are not parenthesized). */
const APP_WIDE = '(app)';

type Handler = (req: FastifyRequest, reply: FastifyReply) => any;

/** What the server needs from this concern, built once at boot. */
export interface RateLimiting {
  settings: RateLimitSettings;
  /** fastify's `trustProxy`: the proxies whose X-Forwarded-For is believed (undefined: none). */
  trustProxy: string[] | ((address: string, hop: number) => boolean) | undefined;
  /** The app-wide limit as an onRequest hook, or null when it is off. */
  onRequest: ((req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => void) | null;
  /** Wraps a route's handler with its `@RateLimit` counters (the handler itself when it has none). */
  wrap<H extends Handler>(route: RouteDef, handler: H): H;
  close(): Promise<void>;
}

/**
 * Reads `[rate_limit]` and `trust_proxy` of config/server.toml (a mistake fails boot naming the key),
 * opens the counter store, and returns the hooks. The store is opened only when something is limited.
 */
export async function prepareRateLimits(server: Record<string, any>, routes: RouteDef[], env: string, log: () => FastifyBaseLogger, userOf?: RateLimitUserResolver): Promise<RateLimiting> {
  const settings = rateLimitSettings(server.rate_limit, env);
  const trustProxy = trustProxySetting(server.trust_proxy);
  const perRoute = new Map(routes.map((r) => [r, limitsFor(r.controller, r.controllerKey, r.action)]));
  const shared = [...perRoute.values()].some((l) => l.length > 0) || (settings.enabled && settings.shareGlobal);
  if (!shared && !settings.enabled) return { settings, trustProxy, onRequest: null, wrap: (_r, h) => h, close: async () => {} };
  const opened = shared ? await openStore(settings) : undefined;
  // The app-wide limit stays in this process unless share_global: sharing it costs every request a round trip.
  const storeFor = (scope: string) => (scope === APP_WIDE && !settings.shareGlobal) || !opened ? localStore(settings.cache) : opened.forScope(scope);
  const limiter = new Limiter(storeFor, log, trustProxy !== undefined, userOf);
  return {
    settings,
    trustProxy,
    onRequest: settings.enabled ? limiter.globalHook({ scope: APP_WIDE, max: settings.max, per: settings.per, by: 'ip', quiet: true }) : null,
    wrap: (route, handler) => limiter.wrap(perRoute.get(route) ?? [], handler),
    close: async () => opened?.close(),
  };
}
