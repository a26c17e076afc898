import type { Worker, WorkerOptions } from 'bullmq';
import type { ConfigTree } from '../config';
import type { DatabaseConfig } from '../orm';
import { configOfDirectory, jobsSetup, readJobsConfig } from './config';
import { AppContainer } from '../di/internal';
import { registry } from '../registry';
import { jobClasses, performJob, useJobs } from './table';
import { bullmq } from './bullmq';
import { closeJobs, configureJobs, jobsConfigured, jobsRuntime, prepareJobs } from './runtime';
import { backendKind } from './backends';
import { SqlQueueBackend } from './sql/backend';

export interface WorkerSetOptions {
  /** Queues to take jobs from (default: every queue a loaded @Job class names). */
  queues?: string[];
  /** Jobs each worker runs at once (default 5). */
  concurrency?: number;
  /** Workers per queue in this process (default 1). */
  count?: number;
  /** More BullMQ Worker options (lockDuration, stalledInterval, ...). */
  workerOptions?: Partial<WorkerOptions>;
}

export interface WorkerSet {
  workers: Worker[];
  queues: string[];
  close(): Promise<void>;
}

/**
 * Lock defaults of the workers stryke starts (in-process and `stryke jobs work`), shorter than BullMQ's 30 s:
 * a running job's lock lasts 10 s and is renewed every 5 s while `perform` runs (BullMQ renews at half the
 * duration), and each worker checks for stalled jobs every 5 s, so the jobs of a killed worker run again
 * within about 15 s. `workerOptions` overrides them (a `perform` that blocks the event loop for longer than
 * the lock needs a longer `lockDuration`).
 */
export const WORKER_LOCK_DEFAULTS = { lockDuration: 10_000, stalledInterval: 5_000 } as const;

const running = new Set<WorkerSet>();
let autoStart: Promise<unknown> | undefined;

/** The queues the loaded @Job classes use, sorted. */
export function knownQueues(): string[] {
  return [...new Set([...jobClasses().values()].map((d) => d.options.queue))].sort();
}

/**
 * Starts BullMQ workers in this process for the configured backend: each runs the @Job class its
 * jobs name. Close them (or `stopJobs()`) before the process exits so their jobs are not left stalled.
 */
export function startJobWorkers(options: WorkerSetOptions = {}): WorkerSet {
  const rt = jobsRuntime('starting workers');
  const queues = options.queues?.length ? options.queues : knownQueues();
  const workers: Worker[] = [];
  for (const queue of queues) {
    for (let i = 0; i < (options.count ?? 1); i++) {
      const worker = new (bullmq().Worker)(queue, (job) => performJob(job, queue), {
        connection: {}, ...rt.queueOptions, ...WORKER_LOCK_DEFAULTS, concurrency: options.concurrency ?? 5, ...options.workerOptions,
      } as any, rt.factory as any);
      worker.on('error', (err) => console.error(`[stryke jobs] worker of "${queue}": ${err.message}`));
      workers.push(worker);
    }
  }
  const set: WorkerSet = {
    workers,
    queues,
    async close() {
      running.delete(set);
      await Promise.all(workers.map((w) => w.close()));
    },
  };
  running.add(set);
  return set;
}

export interface StartJobsOptions {
  root: string;
  config: ConfigTree;
  /** The app's database config when it is not config/database.toml's (createApp's `database`). */
  database?: DatabaseConfig;
  /** Start in-process workers per config/jobs.toml `workers_per_core` (default true). */
  workers?: boolean;
  /** The app's compiled code (`<root>/build`): its `@Job` classes and the framework's are the ones run. */
  build?: string;
  /** The app's container: job constructors get their services from it, as controllers do. */
  container?: AppContainer;
}

/**
 * Configures jobs for a booted app from config/jobs.toml (and the app's database) and starts its
 * in-process workers (`workers_per_core`, `concurrency`, `queues`). Boot calls it; so may an app's own
 * entry point, with its `App`.
 */
export async function startJobs(app: StartJobsOptions): Promise<WorkerSet | undefined> {
  // Two job classes of one name, or a job constructor the container cannot build, fail here, before any queue opens.
  if (app.build !== undefined || app.container) useJobs({ build: app.build, container: app.container ?? servicesOf(app.build!, app.config) });
  const setup = jobsSetup(app.root, app.config, app.database);
  configureJobs(setup);
  await prepareJobs();
  return app.workers === false ? undefined : startConfiguredWorkers(app.config);
}

/** Starts the in-process workers config/jobs.toml asks for (`workers_per_core`, `concurrency`, `queues`), if any. */
export function startConfiguredWorkers(config: ConfigTree): WorkerSet | undefined {
  const jobs = readJobsConfig(config);
  if (jobs.workersPerCore === 0) return undefined;
  const options = { queues: jobs.queues, concurrency: jobs.concurrency, count: jobs.workersPerCore };
  const kind = backendKind(jobsRuntime('starting workers').url);
  return kind === 'sqlite' || kind === 'mysql' ? startWorkersWhenDue(options) : startJobWorkers(options);
}

/**
 * The in-process workers on stryke's SQL queue (SQLite, MySQL/MariaDB), started when there is something to
 * run: until then each queue is watched by one of the queue's own backends, without BullMQ (whose Worker
 * brings ioredis, luxon, cron-parser and msgpackr, several MiB a web worker would hold idle). The watch is
 * the wait a BullMQ worker itself does between jobs: woken at once by an add in this process (the queue's
 * wake-up bus), else polling the queue every `pollInterval` for a waiting or due delayed job (added by
 * another process, or a scheduler's next run), and checking every `stalledInterval` for an active job whose
 * lock expired (a killed worker's). The first such job starts the BullMQ workers of every watched queue, as
 * `startJobWorkers(options)` would, and they run from then on; the watchers close. `workers` fills then.
 * The watchers are listed as the queues' workers (getWorkers, the dashboard) meanwhile.
 */
function startWorkersWhenDue(options: WorkerSetOptions): WorkerSet {
  const rt = jobsRuntime('starting workers');
  const queues = options.queues?.length ? options.queues : knownQueues();
  const stalledEvery = Number(options.workerOptions?.stalledInterval ?? WORKER_LOCK_DEFAULTS.stalledInterval);
  const workers: Worker[] = [];
  let started: WorkerSet | undefined;
  let closed = false;
  const watchers = queues.map((queue) => rt.factory(queue, { connection: {}, ...rt.queueOptions } as any, { withBlockingConnection: true }) as unknown as SqlQueueBackend);
  const closeWatchers = () => Promise.all(watchers.map((w) => w.close())).then(() => undefined);
  const start = () => {
    if (started || closed) return;
    started = startJobWorkers(options);
    running.delete(started); // closed through this set
    workers.push(...started.workers);
    void closeWatchers();
  };
  const failing = new Set<SqlQueueBackend>();
  const watch = async (w: SqlQueueBackend) => {
    let nextStalledCheck = 0;
    while (!started && !closed) {
      if (Date.now() >= nextStalledCheck) {
        nextStalledCheck = Date.now() + stalledEvery;
        if (await w.hasStalledJob()) return start();
      }
      if (started || closed) return;
      if (await w.waitForJob(stalledEvery / 1000)) return start();
      // A failed look (reported as an error) is tried again a second later, not at once.
      if (failing.delete(w)) await new Promise((r) => setTimeout(r, 1000).unref());
    }
  };
  for (const w of watchers) {
    w.on('error', (err: Error) => {
      failing.add(w);
      console.error(`[stryke jobs] watching "${w.queueName}" for jobs: ${err.message}`);
    });
    const loop = (): void => {
      watch(w).catch((err: Error) => {
        if (started || closed) return;
        console.error(`[stryke jobs] watching "${w.queueName}" for jobs: ${err.message}`);
        setTimeout(loop, 1000).unref();
      });
    };
    loop();
  }
  const set: WorkerSet = {
    workers,
    queues,
    async close() {
      closed = true;
      running.delete(set);
      await closeWatchers();
      await started?.close();
    },
  };
  running.add(set);
  return set;
}

/** Closes this process's workers, then its queues. */
export async function stopJobs(): Promise<void> {
  autoStart = undefined;
  await Promise.all([...running].map((s) => s.close()));
  await closeJobs();
}

/**
 * Before boot has called `startJobs`, the first enqueue configures jobs from the app the job class was
 * compiled in (else the current directory). It starts no workers: a process that only enqueues must not
 * be kept alive by workers nobody will close. Workers come from `startJobs(app)` or `stryke jobs work`.
 */
export async function ensureJobs(root?: string): Promise<void> {
  if (jobsConfigured()) return;
  autoStart ??= (async () => {
    const app = configOfDirectory(root);
    if (app) await startJobs({ ...app, workers: false });
  })().catch((err) => {
    autoStart = undefined;
    throw err;
  });
  await autoStart;
}

/** A container of the app's `@Service` classes and its config (`stryke jobs work`: a worker process without createApp). */
function servicesOf(build: string, config: ConfigTree): AppContainer {
  const container = new AppContainer(registry.within(registry.services, build).map((s) => s.target));
  container.provide('config', config);
  return container;
}
