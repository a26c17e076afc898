/** The app's cache (`cache`), set from config/cache.toml at boot: see ./index.ts and ./internal.ts. */
import { Cache, openCache, type CacheOptions } from './cache';
import { cacheSettings, type CacheSettings } from './config';
import { configureFragments } from './fragments';

let current: Cache | undefined;
let settings: CacheSettings = cacheSettings(undefined);

/** Sets the app's cache from config/cache.toml's table (createApp calls it at boot); closes the one before. */
export function configureCache(table: Record<string, any> | undefined, appName?: string): CacheSettings {
  const next = cacheSettings(table, appName);
  const old = current;
  current = undefined;
  settings = next;
  configureFragments(next.max, next.ttl);
  void old?.close();
  return next;
}

/** Closes the app's cache store (the Redis connection), at app close. */
export async function closeCache(): Promise<void> {
  const old = current;
  current = undefined;
  await old?.close();
}

function theCache(): Cache {
  return (current ??= openCache(settings));
}

/**
 * The app's cache (`import { cache } from 'stryke'`): opened on first use with the store config/cache.toml
 * names, in-process memory when there is none.
 */
export const cache = {
  fetch<T>(key: string, a: CacheOptions | (() => T | Promise<T>), b?: () => T | Promise<T>): Promise<T> {
    return typeof a === 'function' ? theCache().fetch(key, a) : theCache().fetch(key, a, b!);
  },
  read<T = unknown>(key: string): Promise<T | undefined> {
    return theCache().read<T>(key);
  },
  write(key: string, value: unknown, options?: CacheOptions): Promise<void> {
    return theCache().write(key, value, options);
  },
  delete(key: string): Promise<boolean> {
    return theCache().delete(key);
  },
  get settings(): CacheSettings {
    return settings;
  },
};
