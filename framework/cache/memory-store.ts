/**
 * The in-process store: a bounded map, each entry with its expiry time, evicting the least recently used
 * approximately (a read marks an entry; eviction spares a marked one once). Reads
 * and writes are synchronous (the views' fragment cache needs that). Through `cache`, values are kept as the
 * frozen plain data their JSON gives (what the Redis store would give, parsed once when written), so a hit
 * costs a map lookup and no caller can change a cached value in place; through `get`/`set` (the store
 * interface) they are JSON text.
 */
export class MemoryStore {
  // `used`: read since it was written or last passed over by eviction (the "second chance" of a CLOCK cache).
  private readonly entries = new Map<string, { text: any; expires: number; used: boolean }>();
  /** The stores of `space(namespace)`, one a namespace. */
  private readonly spaces = new Map<string, MemoryStore>();

  constructor(readonly max: number) {}

  /** Entries kept, the namespaces' (`space`) included. */
  get size(): number {
    let n = this.entries.size;
    for (const s of this.spaces.values()) n += s.size;
    return n;
  }

  /**
   * The entries of one namespace, in a map of their own keyed by the key without the namespace (what a
   * `Cache` on this store uses). A lookup by `namespace + key` hashed a new concatenated string on every
   * read (a cons string, which V8 flattens and hashes each time: about 2.5 times a lookup by the app's key in
   * process). Each namespace keeps up to `max` entries; the store's own `getSync`/`get` (full keys) do not
   * see a namespace's entries.
   */
  space(namespace: string): MemoryStore {
    let s = this.spaces.get(namespace);
    if (!s) this.spaces.set(namespace, (s = new MemoryStore(this.max)));
    return s;
  }

  /** The stored value, or undefined when absent or expired (an expired entry is dropped). */
  getSync<T = string>(key: string, now = Date.now()): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    // A hit only marks the entry: moving it to the end of the Map's order (a delete and a set on a map of
    // thousands) cost about 500 ns a read, 25 times the lookup. Eviction gives marked entries a second chance.
    entry.used = true;
    return entry.text;
  }

  setSync<T = string>(key: string, text: T, ttl: number, now = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { text, expires: now + ttl, used: false });
    // Beyond max: the oldest entry goes, unless it was read since it was written (or last passed over): that one
    // moves to the newest end, its mark cleared, and the next oldest is considered (an approximation of least
    // recently used that costs reads nothing).
    while (this.entries.size > this.max) {
      const [oldest, entry] = this.entries.entries().next().value as [string, { used: boolean }];
      this.entries.delete(oldest);
      if (entry.used && oldest !== key) {
        entry.used = false;
        this.entries.set(oldest, entry as any);
      }
    }
  }

  deleteSync(key: string): boolean {
    return this.entries.delete(key);
  }

  async get(key: string): Promise<string | undefined> {
    return this.getSync(key);
  }

  async set(key: string, text: string, ttl: number): Promise<void> {
    this.setSync(key, text, ttl);
  }

  async delete(key: string): Promise<boolean> {
    return this.deleteSync(key);
  }

  async close(): Promise<void> {
    this.entries.clear();
    for (const s of this.spaces.values()) await s.close();
  }
}
