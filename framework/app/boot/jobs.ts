import type { Server } from 'node:http';
import type { ConfigTree } from '../../config';
import type { AppContainer } from '../../di/internal';
import { registry } from '../../registry';
import type { DatabaseConfig } from '../../orm';
import { appHasMailers } from './mailers';
import { isLoaded } from '../../support';

type JobsModule = typeof import('../../jobs');

/** How long after listening deferred workers start if no request has been answered by then. */
const DEFERRED_WORKERS_MS = 1000;

/** When an app's in-process job workers start: see CreateAppOptions.jobWorkers. */
export type JobWorkersStart = 'boot' | 'after-first-response' | 'none';

/** An app's jobs, configured at boot: close() stops them. */
export interface AppJobs {
  /**
   * Starts the deferred in-process workers after the server's first response (or a second after this
   * call, whichever comes first), so loading BullMQ does not hold up that response. Nothing unless the
   * app was made with `jobWorkers: 'after-first-response'`.
   */
  startWorkersAfterFirstResponse(server: Server): void;
  /** Stops the workers (or cancels their deferred start) and closes the queues. */
  stop(): Promise<void>;
  /** Asks the job backend one cheap question (a queue's count of waiting jobs): rejects when it cannot answer (`/ready`). */
  reachable(): Promise<void>;
}

/**
 * Sets up the app's background jobs at boot when it defines any (`@Job` classes under its build):
 * configures the queues from config/jobs.toml and the app's database and readies the backend, then starts
 * the in-process workers (`workers_per_core`, none in the test environment) as `workers` says: now, when
 * startWorkersAfterFirstResponse says, or never. The jobs module is loaded only then, so an app without
 * jobs pays nothing for them; BullMQ loads with the first queue or worker.
 */
export async function startAppJobs(
  root: string, build: string, config: ConfigTree, database: DatabaseConfig, workers: JobWorkersStart = 'boot', container?: AppContainer,
): Promise<AppJobs | undefined> {
  if (!isLoaded('jobs')) return undefined; // no app code imported the jobs layer
  const jobs = require('../../jobs') as JobsModule;
  // An app with mailers has jobs too: deliverLater goes through the framework's MailDeliveryJob.
  const { startConfiguredWorkers } = require('../../jobs/internal') as typeof import('../../jobs/internal');
  const mine = registry.within(registry.jobs, build).length > 0 || appHasMailers(build);
  if (!mine) return undefined;
  await jobs.startJobs({ root, config, database, workers: workers === 'boot', build, container });
  let pending = workers === 'after-first-response';
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    if (!pending) return;
    pending = false;
    clearTimeout(timer);
    try {
      startConfiguredWorkers(config);
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
    async reachable() {
      await jobs.queueFor(jobs.knownQueues()[0] ?? 'default').getJobCounts('waiting');
    },
  };
}
