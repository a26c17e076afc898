import type { Redis } from 'ioredis';

/**
 * The shared store, for an app on several machines: each value is one Redis string (`SET key json PX ttl`),
 * so Redis expires it and every process sees the same entry. Keys carry the configured namespace.
 */
export class RedisStore {
  private readonly client: Redis;

  constructor(url: string) {
    const IORedis = require('ioredis') as typeof import('ioredis').default;
    // A command fails after one reconnect attempt while Redis is away: `fetch` then computes the value itself.
    this.client = new IORedis(url, { maxRetriesPerRequest: 1 });
    this.client.on('error', () => {
      /* reported by the failing command; without a listener ioredis prints every reconnect attempt */
    });
  }

  async get(key: string): Promise<string | undefined> {
    const text = await this.client.get(key);
    return text === null ? undefined : text;
  }

  async set(key: string, text: string, ttl: number): Promise<void> {
    await this.client.set(key, text, 'PX', ttl);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(key)) > 0;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
