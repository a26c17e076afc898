import { sep } from 'node:path';
import type { ConfigTree } from '../config/load';
import type { DatabaseConfig } from '../orm/connection';

type JobsModule = typeof import('../jobs');

/**
 * Starts the app's background jobs at boot when it defines any (`@Job` classes under its build):
 * configures the queues from config/jobs.toml and the app's database, and starts the in-process workers
 * (`workers_per_core`, none in the test environment). The jobs module (and BullMQ) is loaded only then,
 * so an app without jobs pays nothing for them. Returns the module, whose `stopJobs` close() calls.
 */
export async function startAppJobs(root: string, build: string, config: ConfigTree, database: DatabaseConfig): Promise<JobsModule | undefined> {
  const jobFile = require.resolve('../jobs/job');
  if (!require.cache[jobFile]) return undefined; // no app code imported the jobs layer
  const jobs = require('../jobs') as JobsModule;
  const mine = [...jobs.jobRegistry.values()].some((d) => d.root !== undefined && `${build}${sep}`.startsWith(`${d.root}${sep}`));
  if (!mine) return undefined;
  await jobs.startJobs({ root, config, database });
  return jobs;
}
