import { ChannelErrors } from './errors';

export type AdapterName = 'cluster' | 'redis' | 'postgres';

/** config/channels.toml, with its defaults (secure without configuration). */
export interface ChannelSettings {
  /** `cluster` (the default: the workers of one `stryke start`), `redis` or `postgres` (across machines). */
  adapter: AdapterName;
  /** The redis:// or postgres:// URL of the adapter (postgres: the app's database when it is PostgreSQL). */
  url?: string;
  /** The Redis channel or PostgreSQL NOTIFY channel the app's processes share. */
  channel: string;
  /** Origins allowed beside the app's own (exact, `https://app.example.com`). */
  allowedOrigins: string[];
  /** Largest message a client may send, in bytes (over it the socket closes with 1009). */
  maxPayload: number;
  /** Messages a connection may send per second on average, and in a burst; over it: closed with 1008. */
  messagesPerSecond: number;
  burst: number;
  /** Milliseconds between pings; a peer that has not answered the previous one is dropped. */
  pingIntervalMs: number;
  /** Bytes a slow client may have waiting in its socket's buffer before it is disconnected. */
  maxBufferedBytes: number;
  /** How long a client may be gone and still resume (milliseconds), and how many messages per stream are kept. */
  resumeWindowMs: number;
  resumeBuffer: number;
  /** Milliseconds clients get to close after a 1001 at shutdown before their sockets are cut. */
  closeGraceMs: number;
}

const ADAPTERS: AdapterName[] = ['cluster', 'redis', 'postgres'];

function num(section: Record<string, any>, key: string, fallback: number, min: number): number {
  const v = section[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw ChannelErrors.BAD_CONFIG(`${key} must be a number of at least ${min}, got ${JSON.stringify(v)}.`);
  return n;
}

/** Reads config/channels.toml (`config.channels`); a wrong value fails the boot with a coded error. */
export function channelSettings(section: Record<string, any> | undefined, database?: { adapter?: string; url?: string }): ChannelSettings {
  const s = section ?? {};
  const adapter = String(s.adapter ?? 'cluster') as AdapterName;
  if (!ADAPTERS.includes(adapter)) throw ChannelErrors.BAD_CONFIG(`adapter = "${adapter}" is not one of ${ADAPTERS.join(', ')}.`);
  let url = s.url === undefined || s.url === '' ? undefined : String(s.url);
  if (adapter === 'postgres' && !url && database?.adapter === 'postgres') url = database.url;
  if (adapter === 'redis' && !url) url = 'redis://127.0.0.1:6379';
  if (adapter === 'postgres' && !url) throw ChannelErrors.BAD_CONFIG('adapter = "postgres" needs url = "postgres://..." (or a PostgreSQL app database with a url).');
  const origins = s.allowed_origins ?? [];
  if (!Array.isArray(origins) || origins.some((o) => typeof o !== 'string')) throw ChannelErrors.BAD_CONFIG('allowed_origins must be a list of origins, like ["https://app.example.com"].');
  const channel = String(s.channel ?? 'stryke_channels');
  if (!/^[A-Za-z_][A-Za-z0-9_:.-]{0,62}$/.test(channel)) throw ChannelErrors.BAD_CONFIG(`channel = "${channel}" must be a name of letters, digits and _ (at most 63).`);
  if (adapter === 'postgres' && !/^[a-z_][a-z0-9_]*$/.test(channel)) throw ChannelErrors.BAD_CONFIG(`channel = "${channel}" must be lowercase letters, digits and _ for PostgreSQL LISTEN.`);
  const perSecond = num(s, 'messages_per_second', 20, 1);
  return {
    adapter,
    url,
    channel,
    allowedOrigins: origins.map((o: string) => o.replace(/\/$/, '').toLowerCase()),
    maxPayload: num(s, 'max_payload', 64 * 1024, 16),
    messagesPerSecond: perSecond,
    burst: num(s, 'burst', Math.max(perSecond * 2, 10), 1),
    pingIntervalMs: num(s, 'ping_interval', 25, 0.05) * 1000,
    maxBufferedBytes: num(s, 'max_buffered', 1024 * 1024, 1024),
    resumeWindowMs: num(s, 'resume_window', 120, 0) * 1000,
    resumeBuffer: num(s, 'resume_buffer', 100, 0),
    closeGraceMs: num(s, 'close_grace', 1, 0) * 1000,
  };
}
