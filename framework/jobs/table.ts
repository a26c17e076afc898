import { sep } from 'node:path';
import type { Job as BullJob } from 'bullmq';
import type { AppContainer } from '../di/internal';
import { registry, type JobDecl as RegistryJobDecl } from '../registry';
import { frameworkDir } from '../registry';
import { JobsErrors } from './errors';
import { jobHooks } from './hooks';
import type { ApplicationJob, JobDecl } from './job';

/**
 * The job classes this process runs, by name: a worker finds the class of a job by the job's name.
 * `useJobs` scopes it to one app's build (plus the framework's and installed packages' jobs) and gives it the app's DI
 * container; until then every `@Job` class loaded in the process counts (a script, a test).
 */
interface JobScope {
  build?: string;
  container?: AppContainer;
  byName: Map<string, JobDecl>;
  /** Constructor arguments of each class, resolved through the container once. */
  args: Map<Function, unknown[]>;
}

let scope: { build?: string; container?: AppContainer } = {};
let table: JobScope | undefined;

/** Forgets the table (a `@Job` class was recorded): it is built again on next use. */
export function jobsChanged(): void {
  table = undefined;
}

/** A job any app may run: the framework's own (MailDeliveryJob...) and those of installed packages. */
function isSharedJob(d: RegistryJobDecl): boolean {
  return d.source.startsWith(frameworkDir + sep) || d.source.includes(`${sep}node_modules${sep}`);
}

function buildTable(build: string | undefined, container: AppContainer | undefined): JobScope {
  const decls = build === undefined
    ? [...registry.jobs.values()]
    : [...registry.jobs.values()].filter((d) => isSharedJob(d) || d.source.startsWith(build + sep));
  const byName = new Map<string, JobDecl>();
  for (const d of decls) {
    const other = byName.get(d.name);
    if (other) throw JobsErrors.DUPLICATE_NAME(d.name, other.source, d.source);
    byName.set(d.name, d as JobDecl);
  }
  return { build, container, byName, args: new Map() };
}

function current(): JobScope {
  return (table ??= buildTable(scope.build, scope.container));
}

/**
 * Scopes this process's jobs to one app: its `@Job` classes (those compiled under `build`) and the
 * framework's, each name once, built through `container` (constructor injection, as for controllers).
 * Throws STRYKE_E_JOBS_DUPLICATE_NAME when two classes share a name, and the container's coded error when
 * a job's constructor asks for something it cannot build. Boot calls it (through startJobs).
 */
export function useJobs(options: { build?: string; container?: AppContainer }): void {
  const next = buildTable(options.build, options.container);
  if (options.container) for (const d of next.byName.values()) next.args.set(d.target, options.container.argumentsFor(d.target));
  scope = { build: options.build, container: options.container };
  table = next;
}

/** Every job class of this process (see useJobs), by name. Throws STRYKE_E_JOBS_DUPLICATE_NAME on a clash. */
export function jobClasses(): ReadonlyMap<string, JobDecl> {
  return current().byName;
}

/** A new instance of a job class, its constructor given what it asks for from the app's container. */
export function instantiate(decl: JobDecl): ApplicationJob {
  const t = current();
  let args = t.args.get(decl.target);
  if (!args) {
    if (t.container) args = t.container.argumentsFor(decl.target);
    else if (decl.target.length > 0) throw JobsErrors.NO_CONTAINER(decl.name);
    else args = [];
    t.args.set(decl.target, args);
  }
  return new (decl.target as unknown as new (...a: unknown[]) => ApplicationJob)(...args);
}

/** Runs one BullMQ job with the @Job class named by `job.name`. */
export async function performJob(job: BullJob, queue: string): Promise<unknown> {
  const decl = current().byName.get(job.name);
  if (!decl) {
    const { UnrecoverableError } = await import('bullmq');
    throw new UnrecoverableError(JobsErrors.UNKNOWN_JOB(queue, job.name).message);
  }
  const instance = instantiate(decl);
  instance.job = job;
  const args = Array.isArray(job.data?.args) ? job.data.args : [];
  return jobHooks.perform ? jobHooks.perform(job, queue, async () => instance.perform(...args)) : instance.perform(...args);
}
