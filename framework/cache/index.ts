/**
 * Caching (`stryke/cache`): `cache.fetch(key, { ttl }, fn)` over an in-process LRU or Redis (config/cache.toml), and
 * fragment caching in views (`{{#cache "name" record}}...{{/cache}}`). See docs/caching.md. What the app's boot and
 * the view helpers need (configuring and closing the app's cache, the fragment helper) is in ./internal.ts.
 */
export { cache } from './app-cache';
export { Cache, openCache, type CacheOptions, type CacheStore } from './cache';
export { cacheSettings, type CacheSettings } from './config';
export { CacheErrors } from './errors';
export { MemoryStore } from './memory-store';
export { RedisStore } from './redis-store';
