/**
 * stryke/jobs: background jobs on BullMQ. `createSqliteBackend` and `createMysqlBackend` run BullMQ's
 * Queue, Worker, Job and QueueEvents over the app's own database; `createDatabaseBackend(url)` picks a
 * backend by URL scheme; `@Job` classes enqueue with `performLater`. See docs/jobs.md.
 */
export { createSqliteBackend, createMysqlBackend, createDatabaseBackend, backendKind, type SqliteConnectionOptions, type MysqlConnectionOptions } from './backends';
export { JOB_TABLES } from './sql/schema';
export { Job, ApplicationJob, type JobOptions, type JobDecl } from './job';
export { performJob, jobClasses } from './table';
export { configureJobs, prepareJobs, queueFor, closeJobs, jobsConfigured, type JobsSetup } from './runtime';
export { startJobs, stopJobs, startJobWorkers, knownQueues, WORKER_LOCK_DEFAULTS, type WorkerSet, type WorkerSetOptions, type StartJobsOptions } from './workers';
export { readJobsConfig, jobsSetup, databaseUrl, type JobsConfig } from './config';
export { JobsErrors } from './errors';
export { Queue, Worker, QueueEvents, FlowProducer, BullMQJob, UnrecoverableError, DelayedError, WaitingChildrenError, WaitingError, RateLimitError } from './classes';
export type { JobsOptions, WorkerOptions, QueueOptions, QueueEventsOptions, FlowJob, FlowProducerListener, Processor, ConnectionOptions, BackendFactory, IQueueBackend, JobType, JobState } from 'bullmq';
export { throughputSvg, type DashboardOptions, type DashboardConfig } from './dashboard';
export { jobHooks, type JobHooks } from './hooks';
