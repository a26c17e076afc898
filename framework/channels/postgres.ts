import type { ChannelSettings } from './config';
import { Reassembler, toParts } from './chunks';
import { ChannelErrors } from './errors';
import type { Envelope, Transport } from './transport';

type Log = (level: 'warn' | 'error', message: string, err?: unknown) => void;
/**
 * The largest envelope carried, in bytes. NOTIFY payloads must be shorter than 8000 bytes: a longer one
 * goes as parts of 7,800 bytes, all in one transaction (see chunks.ts), so 1 MiB is about 135 notifications.
 */
const MAX_BYTES = 1024 * 1024;
/** Envelopes kept while PostgreSQL is unreachable, sent once it is back (the oldest dropped beyond it). */
const MAX_PENDING = 10_000;

/**
 * Across machines through PostgreSQL LISTEN/NOTIFY (pg): one connection listens and notifies. When it
 * drops, it reconnects with backoff; envelopes published meanwhile wait (bounded) and go out once it is
 * back. Local delivery never waits for it.
 */
export function postgresTransport(settings: Pick<ChannelSettings, 'url' | 'channel'>, log: Log): Transport {
  const { Client } = require('pg') as typeof import('pg');
  const channel = settings.channel;
  let client: import('pg').Client | undefined;
  let ready = false;
  let closed = false;
  let pending: string[] = [];
  let retry: NodeJS.Timeout | undefined;
  let attempt = 0;
  let receiveFn: (e: Envelope) => void = () => {};
  let upFn: () => void = () => {};
  // Parts of long messages carry `<tag>.<n>` as their key; a listener skips its own.
  const tag = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  let assembler = new Reassembler();

  /** One statement, so one transaction: a long message's parts reach the listeners all together or not at all. */
  const notify = (c: import('pg').Client, text: string) => {
    const parts = toParts(text, `${tag}.${(counter = (counter + 1) % 0x7fffffff).toString(36)}`);
    const sql = `SELECT ${parts.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ')}`;
    c.query(sql, [channel, ...parts]).catch(lost);
  };

  const flush = () => {
    if (!ready || !client) return;
    const batch = pending;
    pending = [];
    for (const text of batch) notify(client, text);
  };

  const lost = (err: Error) => {
    if (!ready && client === undefined) return;
    const was = client;
    client = undefined;
    if (ready) log('warn', ChannelErrors.ADAPTER_DOWN('postgres', err.message).message);
    ready = false;
    was?.removeAllListeners();
    was?.on('error', () => {});
    was?.end().catch(() => {});
    schedule();
  };

  const schedule = () => {
    if (closed || retry) return;
    attempt++;
    retry = setTimeout(() => {
      retry = undefined;
      void connect().catch(() => schedule());
    }, Math.min(100 * attempt, 2000));
    retry.unref();
  };

  const connect = async () => {
    const c = new Client({ connectionString: settings.url });
    c.on('error', (err) => {
      if (client === c) lost(err);
    });
    c.on('end', () => {
      if (client === c) lost(new Error('connection ended'));
    });
    c.on('notification', (n) => {
      if (n.channel !== channel || !n.payload) return;
      if (n.payload.startsWith(`#${tag}.`)) return;
      try {
        const text = assembler.take(n.payload);
        if (text !== undefined) receiveFn(JSON.parse(text) as Envelope);
      } catch (err) {
        log('warn', 'channels: a malformed notification was ignored', err);
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${channel}"`);
    } catch (err) {
      c.removeAllListeners();
      c.on('error', () => {});
      await c.end().catch(() => {});
      throw err;
    }
    if (closed) return void (await c.end().catch(() => {}));
    client = c;
    // Parts cut off by the lost connection never complete: start clean.
    assembler = new Reassembler();
    ready = true;
    attempt = 0;
    upFn();
    flush();
  };

  return {
    name: 'postgres',
    maxBytes: MAX_BYTES,
    publish(envelope) {
      const text = JSON.stringify(envelope);
      if (ready && client) return notify(client, text);
      pending.push(text);
      if (pending.length > MAX_PENDING) pending.splice(0, pending.length - MAX_PENDING);
    },
    async start(receive, up) {
      receiveFn = receive;
      upFn = up;
      try {
        await connect();
      } catch (err) {
        // Unreachable at boot: the app still serves (locally); the link comes up when PostgreSQL does.
        log('warn', ChannelErrors.ADAPTER_DOWN('postgres', (err as Error).message).message);
        schedule();
      }
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      ready = false;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => {});
        await c.end().catch(() => {});
      }
    },
  };
}
