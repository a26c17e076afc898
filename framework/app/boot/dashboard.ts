import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConfigTree } from '../../config';
import type { DatabaseConfig } from '../../orm';

export interface AppDashboardSetup {
  root: string;
  env: string;
  config: ConfigTree;
  database: DatabaseConfig;
  secret: string;
  signInPath?: string;
  currentUserOf(request: FastifyRequest): Promise<unknown>;
}

/**
 * Mounts the job dashboard at /stryke/jobs when config/jobs.toml says `[dashboard] enabled = true` (the
 * jobs concern is not loaded otherwise). An app that has no @Job classes of its own gets its queues
 * configured here (no workers). Returns what closes what it opened.
 */
export async function mountAppDashboard(server: FastifyInstance, app: AppDashboardSetup): Promise<(() => Promise<void>) | undefined> {
  if (((app.config.jobs ?? {}) as Record<string, any>).dashboard?.enabled !== true) return undefined;
  const jobs = require('../../jobs') as typeof import('../../jobs');
  const { mountJobsDashboard, readDashboardConfig } = require('../../jobs/internal') as typeof import('../../jobs/internal');
  const settings = readDashboardConfig(app.config);
  if (!settings.enabled) return undefined;
  if (settings.admin !== undefined && app.signInPath === undefined && settings.token === undefined) {
    throw jobs.JobsErrors.DASHBOARD_CONFIG(`\`admin = "${settings.admin}"\` needs an @Authenticator in the app (stryke generate auth), or set \`token\``);
  }
  let opened = false;
  if (!jobs.jobsConfigured()) {
    await jobs.startJobs({ root: app.root, config: app.config, database: app.database, workers: false });
    opened = true;
  }
  const configured = jobs.readJobsConfig(app.config).queues ?? [];
  mountJobsDashboard(server, {
    config: settings, env: app.env, secret: app.secret, secure: app.env === 'production', signInPath: app.signInPath,
    currentUserOf: app.currentUserOf,
    queues: () => [...new Set([...configured, ...jobs.knownQueues(), 'default'])].sort(),
  });
  return opened ? () => jobs.stopJobs() : undefined;
}
