import { ObservabilityErrors } from './errors';

/** `[metrics]` in config/server.toml. */
export interface MetricsSettings {
  enabled: boolean;
  /** The metrics listener's own port (never the app's). 0 picks a free one (tests). */
  port: number;
  /** `stryke jobs work`'s own metrics port (default 9395): a job worker beside the app needs one of its own. */
  jobsPort: number;
  host: string;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token?: string;
  path: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Reads and checks `[metrics]`: off unless `enabled = true`; on a loopback port unless told otherwise. */
export function metricsSettings(server: Record<string, any> | undefined): MetricsSettings {
  const m = (server?.metrics ?? {}) as Record<string, unknown>;
  if (typeof m !== 'object' || m === null) throw ObservabilityErrors.BAD_CONFIG('[metrics] must be a table');
  const enabled = m.enabled === true;
  const port = m.port === undefined ? 9394 : Number(m.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw ObservabilityErrors.BAD_CONFIG(`port must be a number from 0 to 65535, not ${JSON.stringify(m.port)}`);
  const jobsPort = m.jobs_port === undefined ? 9395 : Number(m.jobs_port);
  if (!Number.isInteger(jobsPort) || jobsPort < 0 || jobsPort > 65535) throw ObservabilityErrors.BAD_CONFIG(`jobs_port must be a number from 0 to 65535, not ${JSON.stringify(m.jobs_port)}`);
  const host = m.host === undefined ? '127.0.0.1' : String(m.host);
  const token = m.token === undefined || m.token === '' ? undefined : String(m.token);
  if (token !== undefined && token.length < 16) throw ObservabilityErrors.BAD_CONFIG('token must be at least 16 characters (use `openssl rand -hex 32`)');
  const path = m.path === undefined ? '/metrics' : String(m.path);
  if (!path.startsWith('/')) throw ObservabilityErrors.BAD_CONFIG(`path must start with "/", not ${JSON.stringify(path)}`);
  if (enabled && !LOOPBACK.has(host) && token === undefined) throw ObservabilityErrors.METRICS_EXPOSED(host);
  return { enabled, port, jobsPort, host, token, path };
}
