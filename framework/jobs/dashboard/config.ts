import type { ConfigTree } from '../../config';
import { JobsErrors } from '../errors';

/** `[dashboard]` in config/jobs.toml: the job dashboard at /stryke/jobs. */
export interface DashboardConfig {
  enabled: boolean;
  /** A bearer token (or a Basic password, any user name) that opens the dashboard; `${ENV}` in config. */
  token?: string;
  /** The name of a method or property on the app's signed-in user that is true for an admin. */
  admin?: string;
}

/** Reads `[dashboard]`; an enabled dashboard with no way in (no token, no admin rule) is a boot error. */
export function readDashboardConfig(config: ConfigTree): DashboardConfig {
  const section = ((config.jobs ?? {}) as Record<string, any>).dashboard as Record<string, unknown> | undefined;
  if (!section || section.enabled !== true) return { enabled: false };
  const token = section.token === undefined || section.token === '' ? undefined : String(section.token);
  const admin = section.admin === undefined || section.admin === '' ? undefined : String(section.admin);
  if (token !== undefined && token.length < 16) throw JobsErrors.DASHBOARD_CONFIG('`token` must be at least 16 characters (use a random secret: `openssl rand -hex 32`, through ${ENV})');
  if (admin !== undefined && !/^[A-Za-z_$][\w$]*$/.test(admin)) throw JobsErrors.DASHBOARD_CONFIG(`\`admin\` must name a method or property of your user, such as "isAdmin", got "${admin}"`);
  if (token === undefined && admin === undefined) throw JobsErrors.DASHBOARD_CONFIG('enabled without a way in: set `token` (a secret, through ${ENV}) and/or `admin` (the method or property of your signed-in user that says it is an admin)');
  return { enabled: true, token, admin };
}
