import type { Server } from 'node:http';
import { sep } from 'node:path';
import type { ConfigTree } from '../config/load';
import type { DatabaseConfig } from '../orm/connection';

type JobsModule = typeof import('../jobs');

/** How long after listening deferred workers start if no request has been answered by then. */
const DEFERRED_WORKERS_MS = 1000;

/** An app's jobs, configured at boot: close() stops them. */
export interface AppJobs {
  /**
   * Starts the deferred in-process workers after the server's first response (or a second after this
   * call, whichever comes first), so loading BullMQ does not hold up that response. Nothing when they
   * were started at boot.
   */
  startWorkersAfterFirstResponse(server: Server): void;
  /** Stops the workers (or cancels their deferred start) and closes the queues. */
  stop(): Promise<void>;
}

/**
 * Sets up the app's background jobs at boot when it defines any (`@Job` classes under its build):
 * configures the queues from config/jobs.toml and the app's database and readies the backend, then starts
 * the in-process workers (`workers_per_core`, none in the test environment), now or, with `deferWorkers`,
 * when startWorkersAfterFirstResponse says. The jobs module is loaded only then, so an app without jobs
 * pays nothing for them; BullMQ loads with the first queue or worker.
 */
export async function startAppJobs(root: string, build: string, config: ConfigTree, database: DatabaseConfig, deferWorkers = false): Promise<AppJobs | undefined> {
  const jobFile = require.resolve('../jobs/job');
  if (!require.cache[jobFile]) return undefined; // no app code imported the jobs layer
  const jobs = require('../jobs') as JobsModule;
  const mine = [...jobs.jobRegistry.values()].some((d) => d.root !== undefined && `${build}${sep}`.startsWith(`${d.root}${sep}`));
  if (!mine) return undefined;
  await jobs.startJobs({ root, config, database, workers: !deferWorkers });
  let pending = deferWorkers;
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    if (!pending) return;
    pending = false;
    clearTimeout(timer);
    try {
      jobs.startConfiguredWorkers(config);
    } catch (err) {
      console.error(`[stryke jobs] starting the in-process workers: ${(err as Error).message}`);
    }
  };
  return {
    startWorkersAfterFirstResponse(server) {
      if (!pending || timer) return;
      timer = setTimeout(start, DEFERRED_WORKERS_MS).unref();
      server.once('request', (_req, res) => res.once('close', () => setImmediate(start)));
    },
    async stop() {
      pending = false;
      clearTimeout(timer);
      await jobs.stopJobs();
    },
  };
}
