import type { ChannelSettings } from './config';
import { ChannelErrors } from './errors';
import type { Envelope, Transport } from './transport';

type Log = (level: 'warn' | 'error', message: string, err?: unknown) => void;

/**
 * Across machines through Redis pub/sub (ioredis): one connection subscribes, one publishes. While Redis is
 * unreachable, ioredis keeps reconnecting and holds what is published (its offline queue) until it is back;
 * local delivery never waits for it.
 */
export function redisTransport(settings: Pick<ChannelSettings, 'url' | 'channel'>, log: Log): Transport {
  const Redis = require('ioredis') as typeof import('ioredis').default;
  const options = { retryStrategy: (times: number) => Math.min(100 * times, 2000), maxRetriesPerRequest: null, lazyConnect: true };
  const pub = new Redis(settings.url!, options);
  const sub = new Redis(settings.url!, options);
  let down = false;
  const onError = (err: Error) => {
    if (down) return;
    down = true;
    log('warn', ChannelErrors.ADAPTER_DOWN('redis', err.message).message);
  };
  pub.on('error', onError);
  sub.on('error', onError);
  return {
    name: 'redis',
    publish(envelope) {
      pub.publish(settings.channel, JSON.stringify(envelope)).catch(onError);
    },
    async start(receive, up) {
      sub.on('message', (channel: string, text: string) => {
        if (channel !== settings.channel) return;
        try {
          receive(JSON.parse(text) as Envelope);
        } catch (err) {
          log('warn', 'channels: a malformed message on the Redis channel was ignored', err);
        }
      });
      // Subscriptions are restored by ioredis after a reconnection; 'ready' then says the link is back.
      sub.on('ready', () => {
        down = false;
        up();
      });
      // Unreachable at boot: the app still serves (locally); ioredis connects when Redis is back.
      await Promise.all([pub.connect().catch(onError), sub.connect().catch(onError)]);
      sub.subscribe(settings.channel).then(() => up(), onError);
    },
    async close() {
      pub.disconnect();
      sub.disconnect();
    },
  };
}
