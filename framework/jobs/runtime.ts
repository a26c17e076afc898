import type { Job as BullJob, Queue, BackendFactory, IQueueBackend, JobsOptions } from 'bullmq';
import { transactionStore } from '../db';
import { backendKind, createDatabaseBackend } from './backends';
import { bullmq } from './bullmq';
import { JobsErrors } from './errors';
import { SqlQueueBackend } from './sql/backend';

/** Where this process's jobs go: a backend factory bound to one database or Redis URL. */
export interface JobsSetup {
  /** `sqlite:db/development.sqlite3`, `mysql://...`, `postgres://...`, `redis://...`. */
  url: string;
  /** The app's database adapter when the jobs live in it (enqueueing in a transaction joins it). */
  appDatabase?: 'sqlite' | 'mysql' | 'postgres';
  /** Options given to every Queue/Worker (prefix, defaultJobOptions...). */
  queueOptions?: Record<string, unknown>;
}

interface Runtime extends JobsSetup {
  factory: BackendFactory<IQueueBackend, unknown>;
  queues: Map<string, Queue>;
  /**
   * The SQL queue's backend prepareJobs readied, held until closeJobs: its connection is shared (counted)
   * with the queues and workers opened later, so they find the tables made instead of making them again,
   * which inside an app transaction would wait on the app's write lock.
   */
  prepared?: IQueueBackend;
}

let runtime: Runtime | undefined;

/** Points this process's jobs (performLater, workers, `stryke jobs`) at a backend. */
export function configureJobs(setup: JobsSetup): void {
  runtime = { ...setup, factory: createDatabaseBackend(setup.url), queues: new Map() };
}

export function jobsConfigured(): boolean {
  return runtime !== undefined;
}

export function jobsRuntime(what: string): Runtime {
  if (!runtime) throw JobsErrors.NOT_STARTED(what);
  return runtime;
}

/** The BullMQ Queue named `name` on the configured backend (one per process). */
export function queueFor(name: string): Queue {
  const rt = jobsRuntime(`using queue "${name}"`);
  let queue = rt.queues.get(name);
  if (!queue) {
    queue = new (bullmq().Queue)(name, { connection: {}, ...rt.queueOptions } as any, rt.factory as any);
    rt.queues.set(name, queue);
  }
  return queue;
}

/**
 * Makes the configured backend ready before any job is enqueued: stryke's SQL queue (SQLite, MySQL/MariaDB)
 * creates its tables, so an enqueue inside an app transaction never has to; it is readied without loading
 * BullMQ. PostgreSQL and Redis are readied through the default BullMQ Queue.
 */
export async function prepareJobs(): Promise<void> {
  const rt = jobsRuntime('preparing jobs');
  const kind = backendKind(rt.url);
  if (kind === 'postgres' || kind === 'redis') {
    await queueFor('default').waitUntilReady();
    return;
  }
  rt.prepared ??= rt.factory('default', { connection: {}, ...rt.queueOptions } as any, {});
  await rt.prepared.waitUntilReady();
}

/**
 * Adds a job. Inside `Model.transaction` on the app's own SQLite or MySQL/MariaDB database the job row
 * is written through that transaction, so it becomes visible on commit and disappears on rollback.
 */
export async function enqueue(queueName: string, name: string, data: unknown, opts: JobsOptions): Promise<BullJob> {
  const queue = queueFor(queueName);
  const scope = transactionStore.getStore();
  const rt = runtime!;
  if (scope && !scope.done && (rt.appDatabase === 'sqlite' || rt.appDatabase === 'mysql')) {
    const backend = queue.getBackend() as unknown as IQueueBackend;
    if (backend instanceof SqlQueueBackend) {
      const job = new (bullmq().Job)(queue as any, name, data, { ...queue.defaultJobOptions, ...opts }, opts.jobId);
      // The very connection of the transaction (framework/db): its statements are the transaction's.
      const { conn } = scope;
      const exec = {
        all: async <T>(sql: string, params?: unknown[]) => (await conn.query(sql, bindable(params))).rows as T[],
        run: async (sql: string, params?: unknown[]) => (await conn.query(sql, bindable(params))).affected,
        insert: async (sql: string, params?: unknown[]) => Number((await conn.query(sql, bindable(params))).insertId ?? 0),
      };
      job.id = await backend.addJobWithin(exec, job.asJSON(), job.id!);
      return job;
    }
  }
  return queue.add(name, data, opts);
}

/** Closes every queue this process opened (workers close on their own). */
export async function closeJobs(): Promise<void> {
  if (!runtime) return;
  const queues = [...runtime.queues.values()];
  const prepared = runtime.prepared;
  runtime = undefined;
  await Promise.all(queues.map((q) => q.close()));
  await prepared?.close();
}

/** A job row's values as every driver takes them (better-sqlite3 refuses booleans and undefined). */
function bindable(params: unknown[] = []): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}
