/**
 * The in-process store: a bounded map in least-recently-used order, each entry with its expiry time. Reads
 * and writes are synchronous (the views' fragment cache needs that); values are kept as JSON text, so a
 * caller can never change a cached value in place and what comes back is what the Redis store would give.
 */
export class MemoryStore {
  private readonly entries = new Map<string, { text: string; expires: number }>();

  constructor(readonly max: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The stored JSON text, or undefined when absent or expired (an expired entry is dropped). */
  getSync(key: string, now = Date.now()): string | undefined {
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

  setSync(key: string, text: string, ttl: number, now = Date.now()): void {
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
