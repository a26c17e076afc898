import { isIP } from 'node:net';
import { parseDuration } from './duration';
import { RateLimitErrors } from './errors';

export type StoreKind = 'memory' | 'cluster' | 'redis';

/** `[rate_limit]` of config/server.toml, checked once at boot. */
export interface RateLimitSettings {
  /** The app-wide limit per client address (every request but /health); on in production unless set. */
  enabled: boolean;
  max: number;
  /** Window in milliseconds. */
  per: number;
  /** Where `@RateLimit` counters live (and the app-wide ones with share_global). */
  store: StoreKind;
  /**
   * Count the app-wide limit in `store` too. Off by default: it is counted by each process on its own, since
   * sharing it would cost every request a round trip to the primary or to Redis (see docs/rate-limits.md).
   */
  shareGlobal: boolean;
  /** Redis URL, for `store = "redis"`. */
  url: string;
  /** Prefix of every key in a shared store (Redis), so apps sharing a server keep their own counters. */
  prefix: string;
  /** Counters an in-process store keeps (least recently used are forgotten first). */
  cache: number;
}

export const DEFAULT_MAX = 1000;
export const DEFAULT_PER = 60_000;

/** `store = "auto"` (the default): shared through the primary under `stryke start`, in-process otherwise. */
export function autoStore(): StoreKind {
  return process.env.STRYKE_WORKER === '1' && typeof process.send === 'function' ? 'cluster' : 'memory';
}

export function rateLimitSettings(table: Record<string, any> | undefined, env: string): RateLimitSettings {
  const t = table ?? {};
  if (typeof t !== 'object' || Array.isArray(t)) throw RateLimitErrors.BAD_CONFIG('must be a table ([rate_limit] with max, per, store).');
  const known = ['enabled', 'max', 'per', 'store', 'share_global', 'url', 'prefix', 'cache'];
  for (const key of Object.keys(t)) {
    if (!known.includes(key)) throw RateLimitErrors.BAD_CONFIG(`unknown key "${key}" (known: ${known.join(', ')}).`);
  }
  // Production only by default: development servers are hammered by their own tooling (a dev loop's polling,
  // a local load test), and a test suite comes from one address.
  const enabled = t.enabled ?? env === 'production';
  if (typeof enabled !== 'boolean') throw RateLimitErrors.BAD_CONFIG(`enabled must be true or false (got ${JSON.stringify(t.enabled)}).`);
  const max = t.max ?? DEFAULT_MAX;
  if (!Number.isInteger(max) || max < 1) throw RateLimitErrors.BAD_CONFIG(`max must be a whole number of requests, at least 1 (got ${JSON.stringify(t.max)}).`);
  const per = t.per === undefined ? DEFAULT_PER : parseDuration(t.per);
  if (per === undefined) throw RateLimitErrors.BAD_CONFIG(`per must be seconds (60) or a duration such as "1 minute" (got ${JSON.stringify(t.per)}).`);
  const store = t.store === undefined || t.store === 'auto' ? autoStore() : t.store;
  if (!['memory', 'cluster', 'redis'].includes(store)) throw RateLimitErrors.BAD_CONFIG(`store must be "auto", "memory", "cluster" or "redis" (got ${JSON.stringify(t.store)}).`);
  if (store === 'cluster' && autoStore() !== 'cluster') {
    throw RateLimitErrors.BAD_CONFIG('store = "cluster" shares counters through the primary of `stryke start`, and this process is not one of its workers. Use "auto" (cluster under `stryke start`, memory otherwise).');
  }
  const shareGlobal = t.share_global ?? false;
  if (typeof shareGlobal !== 'boolean') throw RateLimitErrors.BAD_CONFIG(`share_global must be true or false (got ${JSON.stringify(t.share_global)}).`);
  const url = t.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw RateLimitErrors.BAD_CONFIG(`url must be a redis:// or rediss:// URL (got ${JSON.stringify(t.url)}).`);
  const prefix = t.prefix ?? 'stryke:rate-limit:';
  if (typeof prefix !== 'string') throw RateLimitErrors.BAD_CONFIG('prefix must be a string.');
  const cache = t.cache ?? 10_000;
  if (!Number.isInteger(cache) || cache < 100) throw RateLimitErrors.BAD_CONFIG(`cache must be a whole number, at least 100 (got ${JSON.stringify(t.cache)}).`);
  return { enabled, max, per, store, shareGlobal, url, prefix, cache };
}

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `trust_proxy` of config/server.toml, as fastify's `trustProxy`: a list of proxy addresses or CIDR ranges
 * (`["10.0.0.0/8", "loopback"]`), or the number of proxies in front of the app (`1`: only for an app that
 * cannot be reached except through them, since the nearest peer is not checked). Unset (the default):
 * `X-Forwarded-For` is ignored, so a client cannot choose the address it is counted under. `true` (trust
 * any sender) is refused: anyone reaching the app directly could then spoof it.
 */
export function trustProxySetting(value: unknown): string[] | ((address: string, hop: number) => boolean) | undefined {
  if (value === undefined || value === false) return undefined;
  const shown = JSON.stringify(value);
  if (value === true) throw RateLimitErrors.BAD_TRUST_PROXY(shown, 'trusting every sender lets any client choose its own address. List the proxies (["10.0.0.0/8"]) or give how many there are (1).');
  if (typeof value === 'number') {
    // fastify takes a number as "trust nobody" (it cannot check the nearest peer), so the hop count is
    // given as the function it stands for: the socket's peer and the next hops-1 addresses are proxies.
    if (Number.isInteger(value) && value >= 1) return (_address: string, hop: number) => hop < value;
    throw RateLimitErrors.BAD_TRUST_PROXY(shown, 'a hop count must be a whole number, at least 1.');
  }
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(list) || list.length === 0) throw RateLimitErrors.BAD_TRUST_PROXY(shown, 'give a list of proxy addresses or CIDR ranges (["10.0.0.0/8", "loopback"]), or a hop count (1).');
  for (const entry of list) {
    if (typeof entry !== 'string') throw RateLimitErrors.BAD_TRUST_PROXY(shown, `${JSON.stringify(entry)} is not an address.`);
    if (NAMED_RANGES.has(entry)) continue;
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address!);
    const maxBits = family === 4 ? 32 : 128;
    const badBits = bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > maxBits);
    if (!family || badBits || extra !== undefined) {
      throw RateLimitErrors.BAD_TRUST_PROXY(shown, `"${entry}" is not an IP address or CIDR range (or loopback, linklocal, uniquelocal).`);
    }
  }
  return list as string[];
}
