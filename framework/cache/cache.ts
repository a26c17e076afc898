import { CacheErrors } from './errors';
import type { CacheSettings } from './config';
import { MemoryStore } from './memory-store';
import { RedisStore } from './redis-store';

/** What a store does: JSON text in, JSON text out, with a ttl in milliseconds. */
export interface CacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, text: string, ttl: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface CacheOptions {
  /** Milliseconds the entry lives; the store's default (config/cache.toml `ttl`) when left out. */
  ttl?: number;
}

/** Keys are what the app chooses, namespaced; bounded so one cannot fill Redis with a request's whole body. */
function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw CacheErrors.BAD_KEY(JSON.stringify(key) ?? String(key), 'give a non-empty string.');
  if (key.length > 1024) throw CacheErrors.BAD_KEY(`"${key.slice(0, 40)}..."`, 'is longer than 1,024 characters; hash the varying part.');
  return key;
}

function checkTtl(ttl: unknown, fallback: number): number {
  if (ttl === undefined) return fallback;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1) throw CacheErrors.BAD_TTL(JSON.stringify(ttl));
  return ttl;
}

function serialise(key: string, value: unknown): string {
  if (value === undefined) throw CacheErrors.UNSERIALIZABLE(key, 'it is undefined (undefined means "not cached"; store null instead)');
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw CacheErrors.UNSERIALIZABLE(key, (err as Error).message);
  }
  if (text === undefined) throw CacheErrors.UNSERIALIZABLE(key, `a ${typeof value} has no JSON form`);
  return text;
}

/** Freezes parsed JSON data all the way down (it has no cycles). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const k in value) deepFreeze((value as Record<string, unknown>)[k]);
    Object.freeze(value);
  }
  return value;
}

/** What a fetch or read gives: the value's JSON data, frozen (the same in every store). */
function thaw(text: string): unknown {
  return deepFreeze(JSON.parse(text));
}

/**
 * `cache.fetch(key, { ttl }, fn)`: the cached value of `key`, or `fn()`'s, stored for `ttl` milliseconds.
 * Concurrent fetches of one missing key in this process share one `fn()` call (no stampede on expiry).
 * Values are stored as JSON in every store, so a fetch gives plain data (a Date comes back as its string),
 * frozen: the in-process store hands out the one object it keeps (parsed once, when written), and the Redis
 * store's values are frozen too so code behaves the same on both. Copy before changing (`structuredClone`).
 */
export class Cache {
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** On the in-process store: this namespace's entries, keyed by the app's key (no concatenated key per lookup). */
  private readonly memory: MemoryStore | undefined;

  constructor(readonly store: CacheStore, readonly namespace: string, readonly defaultTtl: number) {
    this.memory = store instanceof MemoryStore ? store.space(namespace) : undefined;
  }

  async read<T = unknown>(key: string): Promise<T | undefined> {
    if (this.memory !== undefined) return this.memory.getSync<T>(checkKey(key));
    const text = await this.store.get(this.namespace + checkKey(key));
    return text === undefined ? undefined : (thaw(text) as T);
  }

  async write(key: string, value: unknown, options: CacheOptions = {}): Promise<void> {
    checkKey(key);
    await this.put(key, serialise(key, value), checkTtl(options.ttl, this.defaultTtl));
  }

  /** Stores `text` (the value's JSON); the value a later read gives. */
  private async put(key: string, text: string, ttl: number): Promise<unknown> {
    if (this.memory !== undefined) {
      const value = thaw(text);
      this.memory.setSync(key, value, ttl);
      return value;
    }
    await this.store.set(this.namespace + key, text, ttl).catch(() => undefined);
    return thaw(text);
  }

  async delete(key: string): Promise<boolean> {
    if (this.memory !== undefined) return this.memory.deleteSync(checkKey(key));
    return this.store.delete(this.namespace + checkKey(key));
  }

  fetch<T>(key: string, fn: () => T | Promise<T>): Promise<T>;
  fetch<T>(key: string, options: CacheOptions, fn: () => T | Promise<T>): Promise<T>;
  fetch<T>(key: string, a: CacheOptions | (() => T | Promise<T>), b?: () => T | Promise<T>): Promise<T> {
    const options = typeof a === 'function' ? {} : a;
    const fn = typeof a === 'function' ? a : b!;
    checkKey(key);
    const ttl = checkTtl(options.ttl, this.defaultTtl);
    // The in-process store answers a hit at once: no promise chain, no in-flight entry (the hot path of a cache).
    if (this.memory !== undefined) {
      const value = this.memory.getSync<T>(key);
      if (value !== undefined) return Promise.resolve(value);
    }
    const running = this.inflight.get(key);
    if (running) return running as Promise<T>;
    const work = this.load(key, ttl, fn).finally(() => this.inflight.delete(key));
    this.inflight.set(key, work);
    return work;
  }

  private async load<T>(key: string, ttl: number, fn: () => T | Promise<T>): Promise<T> {
    if (this.memory === undefined) {
      let hit: string | undefined;
      try {
        hit = await this.store.get(this.namespace + key);
      } catch {
        hit = undefined; // a store that cannot be reached is a miss: the app still answers, uncached
      }
      if (hit !== undefined) return thaw(hit) as T;
    }
    const value = await fn();
    // What a later fetch gives (frozen plain JSON data), not the object fn() returned.
    return (await this.put(key, serialise(key, value), ttl)) as T;
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export function openCache(settings: CacheSettings): Cache {
  const store = settings.store === 'redis' ? new RedisStore(settings.url) : new MemoryStore(settings.max);
  return new Cache(store, settings.namespace, settings.ttl);
}
