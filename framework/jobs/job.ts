import { sep } from 'node:path';
import type { BackoffOptions, Job as BullJob, JobsOptions } from 'bullmq';
import { JobsErrors } from './errors';
import { enqueue } from './runtime';
import { jobHooks } from './hooks';
import { ensureJobs } from './workers';
import { markLoaded } from '../support/loaded';
import { bundledSource } from '../registry/source';

markLoaded('jobs');

/** What `@Job` records about a job class. */
export interface JobOptions {
  /** The queue its jobs go to (default "default"). */
  queue?: string;
  /** Tries before the job fails for good (default 1: no retry). */
  attempts?: number;
  /** Wait between tries: ms, or `{ type: 'fixed' | 'exponential' | <custom strategy>, delay }`. */
  backoff?: number | BackoffOptions;
  /** 1 is the highest priority; jobs without one run first in order of arrival. */
  priority?: number;
  /** Keep finished jobs: true removes at once, a number keeps that many, `{ age, count }`. */
  removeOnComplete?: JobsOptions['removeOnComplete'];
  removeOnFail?: JobsOptions['removeOnFail'];
}

export interface JobDecl {
  name: string;
  target: JobClass;
  /** The app the class was compiled in (`<root>/build/app/...`), when it can tell. */
  root?: string;
  options: Required<Pick<JobOptions, 'queue'>> & JobOptions;
}

export type JobClass = (new () => ApplicationJob) & typeof ApplicationJob;

/** Every @Job class loaded in this process, by name (the class name). */
export const jobRegistry = new Map<string, JobDecl>();

/**
 * Declares a background job class: `perform(...args)` runs on a worker, with the arguments given to
 * `performLater` (they travel as JSON, so pass ids and plain values, not records).
 *
 * ```ts
 * @Job({ queue: 'mailers', attempts: 5, backoff: { type: 'exponential', delay: 1000 } })
 * export class SendWelcomeEmail extends ApplicationJob {
 *   async perform(userId: number) { ... }
 * }
 * ```
 */
export function Job(options: JobOptions = {}): ClassDecorator {
  return (target) => {
    if (typeof (target as any).prototype?.perform !== 'function') throw JobsErrors.NOT_A_JOB(target.name);
    jobRegistry.set(target.name, { name: target.name, target: target as unknown as JobClass, root: appRootOfCaller(), options: { queue: 'default', ...options } });
  };
}

/** `<root>` of the first stack frame under `<root>/build/app/`: the app that defined the job class. */
function appRootOfCaller(): string | undefined {
  const marker = `${sep}build${sep}app${sep}`;
  // In a bundled build (`stryke build`) the stack names the bundle: the module being loaded says the file.
  const bundled = bundledSource();
  for (const line of (bundled ? `(${bundled})` : new Error().stack ?? '').split('\n')) {
    const at = line.indexOf(marker);
    if (at < 0) continue;
    const start = line.lastIndexOf('(', at) + 1 || line.indexOf('at ') + 3;
    return line.slice(start, at);
  }
  return undefined;
}

export function jobDecl(cls: Function): JobDecl {
  const decl = jobRegistry.get(cls.name);
  if (!decl || decl.target !== cls) throw JobsErrors.NOT_A_JOB(cls.name);
  return decl;
}

/** BullMQ job options from a job class's declaration plus per-call ones. */
function optionsFor(decl: JobDecl, extra: JobsOptions): JobsOptions {
  const { queue: _q, ...rest } = decl.options;
  const opts: JobsOptions = { ...rest, ...extra };
  for (const k of Object.keys(opts) as (keyof JobsOptions)[]) if (opts[k] === undefined) delete opts[k];
  return opts;
}

/**
 * The base of an app's jobs (ActiveJob's shape). Class methods enqueue; a worker builds an instance
 * and calls `perform`, with `this.job` set to the BullMQ job (for `updateProgress` and `log`).
 */
export abstract class ApplicationJob {
  /** The BullMQ job being performed (undefined under `performNow`). */
  job?: BullJob;

  abstract perform(...args: any[]): Promise<unknown> | unknown;

  /** Enqueues: a worker runs it as soon as one is free. Resolves to the BullMQ job. */
  static performLater<T extends typeof ApplicationJob>(this: T, ...args: Parameters<InstanceType<T>['perform']>): Promise<BullJob> {
    return this.enqueueWith({}, args);
  }

  /** Enqueues to run at `date` (or as soon as possible after it). */
  static performAt<T extends typeof ApplicationJob>(this: T, date: Date, ...args: Parameters<InstanceType<T>['perform']>): Promise<BullJob> {
    return this.enqueueWith({ delay: Math.max(date.getTime() - Date.now(), 0) }, args);
  }

  /** Enqueues to run in `ms` milliseconds. */
  static performIn<T extends typeof ApplicationJob>(this: T, ms: number, ...args: Parameters<InstanceType<T>['perform']>): Promise<BullJob> {
    return this.enqueueWith({ delay: Math.max(ms, 0) }, args);
  }

  /** Runs `perform` here and now, without a queue; resolves to what it returns. */
  static async performNow<T extends typeof ApplicationJob>(this: T, ...args: Parameters<InstanceType<T>['perform']>): Promise<Awaited<ReturnType<InstanceType<T>['perform']>>> {
    jobDecl(this);
    const instance = new (this as unknown as new () => ApplicationJob)();
    return (await instance.perform(...args)) as Awaited<ReturnType<InstanceType<T>['perform']>>;
  }

  /** Enqueues with BullMQ options for this call (`jobId`, `priority`, `delay`, `lifo`...). */
  static async enqueueWith(opts: JobsOptions, args: unknown[]): Promise<BullJob> {
    const decl = jobDecl(this);
    await ensureJobs(decl.root);
    const data: Record<string, unknown> = { args };
    const add = () => enqueue(decl.options.queue, decl.name, data, optionsFor(decl, opts));
    return jobHooks.enqueue ? jobHooks.enqueue(decl.options.queue, decl.name, data, add) : add();
  }
}

/** Runs one BullMQ job with the @Job class named by `job.name`. */
export async function performJob(job: BullJob, queue: string): Promise<unknown> {
  const decl = jobRegistry.get(job.name);
  if (!decl) {
    const { UnrecoverableError } = await import('bullmq');
    throw new UnrecoverableError(JobsErrors.UNKNOWN_JOB(queue, job.name).message);
  }
  const instance = new (decl.target as unknown as new () => ApplicationJob)();
  instance.job = job;
  const args = Array.isArray(job.data?.args) ? job.data.args : [];
  return jobHooks.perform ? jobHooks.perform(job, queue, async () => instance.perform(...args)) : instance.perform(...args);
}
