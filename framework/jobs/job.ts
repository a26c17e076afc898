import { sep } from 'node:path';
import type { BackoffOptions, Job as BullJob, JobsOptions } from 'bullmq';
import { JobsErrors } from './errors';
import { enqueue } from './runtime';
import { jobHooks } from './hooks';
import { ensureJobs } from './workers';
import { registry, type Constructor, type JobDecl as RegistryJobDecl } from '../registry';
import { decoratedAt } from '../registry';
import { instantiate, jobsChanged } from './table';
import { markLoaded } from '../support';

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

export interface JobDecl extends RegistryJobDecl {
  target: JobClass;
  options: Required<Pick<JobOptions, 'queue'>> & JobOptions & RegistryJobDecl['options'];
}

export type JobClass = (new (...args: any[]) => ApplicationJob) & typeof ApplicationJob;
/** A job class as `performLater` and friends see it: constructor parameters (injected services) allowed. */
export type JobStatic = (abstract new (...args: any[]) => ApplicationJob) & Omit<typeof ApplicationJob, 'prototype'>;

/** Each @Job class's declaration, for enqueueing (the registry keeps them by file and name). */
const declarations = new WeakMap<Function, JobDecl>();

/**
 * Declares a background job class: `perform(...args)` runs on a worker, with the arguments given to
 * `performLater` (they travel as JSON, so pass ids and plain values, not records). Its constructor gets
 * services from the app's container, as a controller's does.
 *
 * ```ts
 * @Job({ queue: 'mailers', attempts: 5, backoff: { type: 'exponential', delay: 1000 } })
 * export class SendWelcomeEmail extends ApplicationJob {
 *   constructor(private readonly mailer: Mailer) { super(); }
 *   async perform(userId: number) { ... }
 * }
 * ```
 */
export function Job(options: JobOptions = {}): ClassDecorator {
  return (target) => {
    if (typeof (target as any).prototype?.perform !== 'function') throw JobsErrors.NOT_A_JOB(target.name);
    const decl = registry.job({
      name: target.name, target: target as unknown as Constructor, source: decoratedAt(), options: { queue: 'default', ...options },
    }) as JobDecl;
    declarations.set(target, decl);
    jobsChanged();
  };
}

/** `<root>` of a source under `<root>/build/app/`: the app that defined the job class. */
function appRootOf(source: string): string | undefined {
  const at = source.indexOf(`${sep}build${sep}app${sep}`);
  return at < 0 ? undefined : source.slice(0, at);
}

export function jobDecl(cls: Function): JobDecl {
  const decl = declarations.get(cls);
  if (!decl) throw JobsErrors.NOT_A_JOB(cls.name);
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
  static performLater<T extends JobStatic>(this: T, ...args: Parameters<InstanceType<T>['perform']>): Promise<BullJob> {
    return this.enqueueWith({}, args);
  }

  /** Enqueues to run at `date` (or as soon as possible after it). */
  static performAt<T extends JobStatic>(this: T, date: Date, ...args: Parameters<InstanceType<T>['perform']>): Promise<BullJob> {
    return this.enqueueWith({ delay: Math.max(date.getTime() - Date.now(), 0) }, args);
  }

  /** Enqueues to run in `ms` milliseconds. */
  static performIn<T extends JobStatic>(this: T, ms: number, ...args: Parameters<InstanceType<T>['perform']>): Promise<BullJob> {
    return this.enqueueWith({ delay: Math.max(ms, 0) }, args);
  }

  /** Runs `perform` here and now, without a queue; resolves to what it returns. */
  static async performNow<T extends JobStatic>(this: T, ...args: Parameters<InstanceType<T>['perform']>): Promise<Awaited<ReturnType<InstanceType<T>['perform']>>> {
    const instance = instantiate(jobDecl(this));
    return (await instance.perform(...args)) as Awaited<ReturnType<InstanceType<T>['perform']>>;
  }

  /** Enqueues with BullMQ options for this call (`jobId`, `priority`, `delay`, `lifo`...). */
  static async enqueueWith(opts: JobsOptions, args: unknown[]): Promise<BullJob> {
    const decl = jobDecl(this);
    await ensureJobs(appRootOf(decl.source));
    const data: Record<string, unknown> = { args };
    const add = () => enqueue(decl.options.queue, decl.name, data, optionsFor(decl, opts));
    return jobHooks.enqueue ? jobHooks.enqueue(decl.options.queue, decl.name, data, add) : add();
  }
}
