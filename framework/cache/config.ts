import { CacheErrors } from './errors';

/** config/cache.toml, checked once when the cache is first used. */
export interface CacheSettings {
  /** "memory": this process only (the default); "redis": shared by every process and machine using the server. */
  store: 'memory' | 'redis';
  /** Redis URL, for `store = "redis"` (default REDIS_URL, then redis://127.0.0.1:6379). */
  url: string;
  /** Prefix of every key, so apps (or environments) sharing a Redis keep their own entries. */
  namespace: string;
  /** Entries the memory store keeps; the least recently used are forgotten first. */
  max: number;
  /** The ttl, in milliseconds, of an entry written without one. */
  ttl: number;
}

const KNOWN = ['store', 'url', 'namespace', 'max', 'ttl'];

export function cacheSettings(table: Record<string, any> | undefined, appName = 'app'): CacheSettings {
  const t = table ?? {};
  if (typeof t !== 'object' || Array.isArray(t)) throw CacheErrors.BAD_CONFIG('must hold store, url, namespace, max and ttl keys.');
  for (const key of Object.keys(t)) {
    if (!KNOWN.includes(key)) throw CacheErrors.BAD_CONFIG(`unknown key "${key}" (known: ${KNOWN.join(', ')}).`);
  }
  const store = t.store ?? 'memory';
  if (store !== 'memory' && store !== 'redis') throw CacheErrors.BAD_CONFIG(`store must be "memory" or "redis" (got ${JSON.stringify(t.store)}).`);
  const url = t.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw CacheErrors.BAD_CONFIG(`url must be a redis:// or rediss:// URL (got ${JSON.stringify(t.url)}).`);
  const namespace = t.namespace ?? `stryke:cache:${appName}:`;
  if (typeof namespace !== 'string') throw CacheErrors.BAD_CONFIG('namespace must be a string.');
  const max = t.max ?? 10_000;
  if (!Number.isInteger(max) || max < 1) throw CacheErrors.BAD_CONFIG(`max must be a whole number of entries, at least 1 (got ${JSON.stringify(t.max)}).`);
  const ttl = t.ttl ?? 300_000;
  if (!Number.isInteger(ttl) || ttl < 1) throw CacheErrors.BAD_CONFIG(`ttl must be milliseconds, a whole number above 0 (got ${JSON.stringify(t.ttl)}).`);
  return { store, url, namespace, max, ttl };
}
