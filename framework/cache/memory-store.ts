/**
 * The in-process store: a bounded map in least-recently-used order, each entry with its expiry time. Reads
 * and writes are synchronous (the views' fragment cache needs that). Through `cache`, values are kept as the
 * frozen plain data their JSON gives (what the Redis store would give, parsed once when written), so a hit
 * costs a map lookup and no caller can change a cached value in place; through `get`/`set` (the store
 * interface) they are JSON text.
 */
export class MemoryStore {
  private readonly entries = new Map<string, { text: any; expires: number }>();

  constructor(readonly max: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The stored value, or undefined when absent or expired (an expired entry is dropped). */
  getSync<T = string>(key: string, now = Date.now()): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last: delete and re-insert moves it to the end of the Map's order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.text;
  }

  setSync<T = string>(key: string, text: T, ttl: number, now = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { text, expires: now + ttl });
    while (this.entries.size > this.max) {
      // The first key in a Map's order is the least recently used.
      this.entries.delete(this.entries.keys().next().value as string);
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
  }
}
