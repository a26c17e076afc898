import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { registry, type RateLimitDecl } from '../registry';
import { describeDuration, describeWindow } from './duration';
import { RateLimitErrors } from './errors';
import { rateLimitUserResolver, type RateLimitUserResolver } from './identity';
import type { Count, CounterStore } from './store';

// @fastify/rate-limit's address normalization (IPv4-mapped IPv6 as IPv4, IPv6 grouped by its /64), required
// with the first IPv6 client: the plugin's module and ip-address are not needed before.
let normalizeIP: ((ip: string, subnet?: number) => string) | undefined;

/**
 * The counter key of an address: IPv4 as it is (node gives it canonical; and the same string object for
 * every request of a connection, whose hash is then computed once), IPv6 grouped by its /64.
 */
function addressKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  normalizeIP ??= (require('@fastify/rate-limit') as { normalizeIP(ip: string, subnet?: number): string }).normalizeIP;
  return normalizeIP(ip);
}

/** One counter's rule, resolved at boot. */
export interface Limit {
  /** The counter's name: `global`, the controller, `controller#action`, or the declared name. */
  scope: string;
  /** Its counters, set at boot (see Limiter.bind). */
  store?: CounterStore;
  max: number;
  per: number;
  by: 'ip' | 'user';
  /**
   * Send the RateLimit headers on every response (an action's limit), or only with the 429 (the app-wide
   * limit: its quota on every asset and page would be noise, and three headers a request).
   */
  quiet?: boolean;
}

type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;
type Done = (err?: Error) => void;

function classChain(target: Function): Function[] {
  const chain: Function[] = [];
  for (let c: any = target; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.unshift(c);
  return chain;
}

/**
 * The `@RateLimit` rules of one action, read from the registry once at boot: the controller's (its own and
 * inherited, one counter per controller) and the action's own.
 */
export function limitsFor(controller: Function, controllerKey: string | undefined, action: string): Limit[] {
  const limits: Limit[] = [];
  const label = controllerKey ?? controller.name;
  const add = (d: RateLimitDecl, scope: string) => {
    const name = d.name ?? scope;
    if (!limits.some((l) => l.scope === name)) limits.push({ scope: name, max: d.max, per: d.per, by: d.by });
  };
  for (const c of classChain(controller)) {
    for (const d of registry.controllers.get(c)?.rateLimits ?? []) {
      if (d.action === undefined) add(d, c === controller ? label : `${label}<${c.name}>`);
      else if (c === controller && d.action === action) add(d, `${label}#${action}`);
    }
  }
  return limits;
}

/**
 * Counts requests and answers 429 over a limit. Built once per app; the request path runs only the
 * functions made here: the key (address or user), one store increment, the headers.
 */
export class Limiter {
  private warnedProxy = false;
  private warnedStore = false;

  constructor(
    private readonly storeFor: (scope: string) => CounterStore,
    private readonly log: () => FastifyBaseLogger,
    private readonly trustsProxy: boolean,
    /** This app's way to the signed-in user's id (its authenticator), when `setRateLimitUserResolver` set none. */
    private readonly userOf?: RateLimitUserResolver,
  ) {}

  private readonly bound = new Map<string, Limit>();

  /**
   * Gives a limit its store: one per counter name, shared by the routes that name it (which must then
   * agree on the rule: one counter cannot have two windows).
   */
  private bind(limit: Limit): Limit {
    const seen = this.bound.get(limit.scope);
    if (seen && (seen.max !== limit.max || seen.per !== limit.per || seen.by !== limit.by)) {
      const rule = (l: Limit) => `${l.max} per ${describeWindow(l.per)} by ${l.by}`;
      throw RateLimitErrors.BAD_DECLARATION(`name "${limit.scope}"`, `the declarations sharing this counter differ (${rule(seen)}, and ${rule(limit)}); give them the same max, per and by, or different names.`);
    }
    const out = seen ?? { ...limit, store: this.storeFor(limit.scope) };
    this.bound.set(limit.scope, out);
    return out;
  }

  /** Counts one request against a limit; `done(err)` with the 429 error when over it. */
  private count(limit: Limit, key: string, req: FastifyRequest, reply: FastifyReply, done: Done): void {
    limit.store!.incr(key, (err, res) => {
      if (err || !res) {
        // A store that is down lets requests through (a limiter must not take the app down with it), said once.
        if (!this.warnedStore) {
          this.warnedStore = true;
          this.log().error({ err }, 'rate limits are not enforced: the counter store failed (requests are let through until it answers again)');
        }
        return done();
      }
      this.answer(limit, res, req, reply, done);
    }, limit.per, limit.max);
  }

  private answer(limit: Limit, res: Count, req: FastifyRequest, reply: FastifyReply, done: Done): void {
    const over = res.current > limit.max;
    if (limit.quiet && !over) return done();
    const reset = Math.max(0, Math.ceil(res.ttl / 1000));
    reply.header('ratelimit-limit', limit.max);
    reply.header('ratelimit-remaining', Math.max(0, limit.max - res.current));
    reply.header('ratelimit-reset', reset);
    if (!over) return done();
    reply.header('retry-after', reset);
    if (!this.trustsProxy && !this.warnedProxy && req.headers['x-forwarded-for'] !== undefined) {
      this.warnedProxy = true;
      this.log().warn({ ip: req.ip }, 'a client was rate-limited by the address of the proxy it came through: set trust_proxy in config/server.toml, or every client behind that proxy shares one limit (docs/rate-limits.md)');
    }
    done(RateLimitErrors.EXCEEDED(`${limit.max} per ${describeWindow(limit.per)}`, describeDuration(res.ttl)));
  }

  /** The app-wide limit, as a fastify onRequest hook: every request but `/health`, by address. */
  globalHook(given: Limit) {
    const limit = this.bind(given);
    return (req: FastifyRequest, reply: FastifyReply, done: Done) => {
      if (req.url === '/health') return done();
      this.count(limit, addressKey(req.ip), req, reply, done);
    };
  }

  /**
   * Wraps an action's handler so the action's limits are counted first. This is the handler every way
   * to the action runs (its route, the `.json` variant, HEAD for GET, and the `_method` dispatcher), so
   * they all count against the same counters. It runs after the route's middleware, so an authentication
   * middleware has resolved the user before `by: 'user'` asks.
   */
  wrap<H extends Handler>(given: Limit[], handler: H): H {
    if (given.length === 0) return handler;
    const limits = given.map((l) => this.bind(l));
    const check = (limit: Limit, req: FastifyRequest, reply: FastifyReply) =>
      new Promise<void>((resolve, reject) => {
        const go = (key: string) => this.count(limit, key, req, reply, (err) => (err ? reject(err) : resolve()));
        if (limit.by === 'ip') return go(addressKey(req.ip));
        const resolver = rateLimitUserResolver() ?? this.userOf;
        if (!resolver) return go(addressKey(req.ip));
        Promise.resolve(resolver(req)).then(
          // `user:` cannot begin an address, so users and anonymous addresses never share a counter.
          (id) => go(id === null || id === undefined || id === '' ? addressKey(req.ip) : `user:${id}`),
          reject,
        );
      });
    const wrapped = limits.length === 1
      ? (req: FastifyRequest, reply: FastifyReply) => check(limits[0]!, req, reply).then(() => handler(req, reply))
      : async (req: FastifyRequest, reply: FastifyReply) => {
        for (const limit of limits) await check(limit, req, reply);
        return handler(req, reply);
      };
    return wrapped as unknown as H;
  }
}
