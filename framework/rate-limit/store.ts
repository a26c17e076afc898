import type { RateLimitSettings } from './config';

/** A counter's state after one increment: requests counted in the window, and milliseconds until it resets. */
export interface Count {
  current: number;
  ttl: number;
}

/** @fastify/rate-limit's store interface: the in-process LRU and the Redis store are its own. */
export interface CounterStore {
  incr(key: string, cb: (err: Error | null, res?: Count) => void, timeWindow: number, max: number): void;
}

export interface OpenStore {
  /** The store of one counter (`global`, `posts#create`...): each keeps its own keys. */
  forScope(scope: string): CounterStore;
  /** Which store, for logs and errors. */
  kind: RateLimitSettings['store'];
  close(): Promise<void>;
}

type LocalStoreCtor = new (continueExceeding: boolean, exponentialBackoff: boolean, cache?: number) => CounterStore;
type RedisStoreCtor = new (continueExceeding: boolean, exponentialBackoff: boolean, redis: unknown, key?: string) => CounterStore;

/** @fastify/rate-limit's LRU store (toad-cache): fixed windows, forgetting the least recently used counters. */
export function localStore(cache: number): CounterStore {
  const LocalStore = require('@fastify/rate-limit/store/LocalStore') as LocalStoreCtor;
  return new LocalStore(false, false, cache);
}

/**
 * Opens the store `[rate_limit] store` names: in-process, the primary's (under `stryke start`), or
 * Redis (ioredis, loaded only then; one Lua script per increment, so every instance counts alike).
 */
export async function openStore(settings: RateLimitSettings): Promise<OpenStore> {
  if (settings.store === 'cluster') {
    const { ClusterStore } = require('./cluster-store') as typeof import('./cluster-store');
    const store = new ClusterStore();
    return { forScope: (scope) => store.scoped(scope), kind: 'cluster', close: async () => store.close() };
  }
  if (settings.store === 'redis') {
    const Redis = require('ioredis') as typeof import('ioredis').default;
    // Commands wait for a reconnect only briefly: a request must not hang on a Redis that is down (it is let
    // through and the failure logged, see limiter.ts).
    const redis = new Redis(settings.url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2000 });
    redis.on('error', () => {}); // reported per request by the limiter; ioredis reconnects by itself
    const RedisStore = require('@fastify/rate-limit/store/RedisStore') as RedisStoreCtor;
    return {
      forScope: (scope) => new RedisStore(false, false, redis, `${settings.prefix}${scope}|`),
      kind: 'redis',
      close: async () => void (await redis.quit().catch(() => redis.disconnect())),
    };
  }
  // One LRU per counter, keyed by the bare address: no key is built per request, and the address string
  // (one per connection) keeps its hash.
  return { forScope: () => localStore(settings.cache), kind: 'memory', close: async () => {} };
}
