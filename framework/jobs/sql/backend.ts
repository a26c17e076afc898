import type { IQueueBackend, JobJson, JobProgress, JobsOptions, JobState, JobType, KeepJobs, MinimalJob } from 'bullmq';
import { getMetaMap, withTx, withinExternalTx } from './context';
import type { Exec } from './driver';
import { claim, windowOf } from './claim';
import { insertFlow, insertJob, insertJobs, type FlowEntry } from './insert';
import { delayActive, recoverStalled, retryActive } from './finish';
import { childValues, dependencyCounts, getDependencies, paginate, toWaitingChildren, unlinkChild } from './flows';
import { MoveBatcher } from './batch';
import { AddBatcher } from './add-batch';
import { addsInFlight, trackAdd } from './adds-in-flight';
import * as admin from './admin';
import * as sched from './schedulers';
import * as reads from './reads';
import { jobError } from './rows';
import { SqlBackendCore } from './core';
import { getMetrics } from './metrics';

export type { SqlBackendOptions } from './core';

/** How long a finished job's write is retried after a lost connection, in ms; after that the job is left to stalled-job recovery. */
const FINISH_RETRY_FOR = 120_000;

/**
 * BullMQ's `IQueueBackend` over a SQL database (SQLite or MySQL/MariaDB): the queue lives in the
 * `stryke_jobs` tables of the app's own database. Queue, Worker, Job, QueueEvents, FlowProducer and job
 * schedulers run on it unchanged.
 */
export class SqlQueueBackend extends SqlBackendCore implements IQueueBackend {
  /** A worker's completions, failures and claims, coalesced into shared transactions (see batch.ts). */
  private readonly moves = new MoveBatcher(this.ctx, {
    closing: () => this.closingPromise !== undefined,
    retryFor: FINISH_RETRY_FOR,
    report: (err) => this.emit('error', err),
  });

  forQueue(queueName: string): IQueueBackend {
    return new SqlQueueBackend(this.driver, queueName, this.opts, this.ctx.label, { ...this.settings, owns: false, blocking: false, clientName: undefined });
  }

  // ---- adding -----------------------------------------------------------------------------------

  /** Concurrent `add` calls, coalesced into shared transactions (see add-batch.ts). */
  private readonly adds = new AddBatcher(this.ctx);

  async addJob(job: JobJson, jobId: string, parentKeyOpts?: { parentKey?: string }): Promise<string> {
    return trackAdd(this.driver.key, this.queueName, async () => {
      await this.ready();
      return this.adds.add({ job, jobId, parentKeyOpts });
    });
  }

  async addJobs(entries: { job: JobJson; jobId: string; parentKeyOpts?: { parentKey?: string } }[]): Promise<string[]> {
    return trackAdd(this.driver.key, this.queueName, async () => {
      await this.ready();
      return withTx(this.ctx, (x, fx) => insertJobs(this.ctx, x, fx, entries));
    });
  }

  /**
   * Adds a job through another transaction's connection (the app's `Model.transaction` on the same
   * database): it becomes visible when that transaction commits and vanishes if it rolls back.
   */
  async addJobWithin(x: Exec, job: JobJson, jobId: string): Promise<string> {
    await this.ready();
    return withinExternalTx(this.ctx, x, (tx, fx) => insertJob(this.ctx, tx, fx, job, jobId));
  }

  /**
   * A FlowProducer's tree (parents first), over any queues of this database, in one transaction: a parent
   * waits in `waiting-children` until its children finish. Each entry gets its id or BullMQ's error code.
   */
  addFlow(entries: FlowEntry[]): Promise<[Error | null, string | number][]> {
    return trackAdd(this.driver.key, entries.map((e) => e.queueName), async () => {
      await this.ready();
      return insertFlow(this.ctx, entries);
    });
  }

  async addJobScheduler(id: string, nextMillis: number, data: string, templateOpts: JobsOptions, opts: object, delayedOpts: JobsOptions): Promise<[string, number]> {
    await this.ready();
    return sched.addScheduler(this.ctx, id, nextMillis, data, templateOpts, opts as Record<string, any>, delayedOpts as Record<string, any>);
  }

  // ---- the worker's moves -----------------------------------------------------------------------

  async moveToActive(token: string, name?: string): Promise<any[]> {
    const adding = addsInFlight(this.driver.key, this.queueName);
    await this.ready();
    const next = await this.moves.submit<any[]>({ kind: 'claim', token, name });
    if (next[0] || !adding || this.closingPromise) return next;
    // Found nothing while this process was still adding jobs it started before this claim: look again once
    // those are written (see adds-in-flight.ts), so the worker does not say `drained` before their jobs run.
    await Promise.allSettled(adding);
    if (this.closingPromise) return next;
    return this.moves.submit<any[]>({ kind: 'claim', token, name });
  }

  async moveToCompleted<T, R, N extends string>(job: MinimalJob<T, R, N>, returnValue: R, removeOnComplete: boolean | number | KeepJobs, token: string, fetchNext: boolean) {
    await this.ready();
    const fetch = fetchNext && !this.closingPromise;
    return this.moves.submit<{ result: any; finishedOn: number }>({ kind: 'complete', id: job.id!, returnValue, removeOnComplete, token, fetchNext: fetch });
  }

  async moveToFailed<T, R, N extends string>(job: MinimalJob<T, R, N>, reason: string, removeOnFail: boolean | number | KeepJobs, token: string, fetchNext: boolean, fields?: Record<string, any>) {
    await this.ready();
    const fetch = fetchNext && !this.closingPromise;
    return this.moves.submit<{ result: any; finishedOn: number }>({ kind: 'fail', id: job.id!, reason, removeOnFail, token, fetchNext: fetch, stacktrace: fields?.stacktrace });
  }

  async moveToDelayed(jobId: string, timestamp: number, delay: number, token?: string, opts?: { skipAttempt?: boolean; fetchNext?: boolean; fieldsToUpdate?: Record<string, any> }): Promise<void | any[]> {
    await this.ready();
    return withTx(this.ctx, async (x, fx) => {
      await delayActive(this.ctx, x, fx, jobId, timestamp + delay, delay, token, opts?.fieldsToUpdate ?? {}, opts?.skipAttempt ?? false);
      if (!opts?.fetchNext || this.closingPromise || !token) return [];
      const next = await claim(this.ctx, x, fx, token, this.opts.name, Date.now());
      return next[0] ? next : [];
    });
  }

  async moveToWaitingChildren(jobId: string, token: string): Promise<boolean> {
    await this.ready();
    return withTx(this.ctx, (x) => toWaitingChildren(this.ctx, x, jobId, token));
  }

  /**
   * A job its processor rate-limited goes back to waiting in its old place, without counting an attempt (a
   * job no longer active under this lock is left as it is). Resolves to the rate limit's remaining ms.
   */
  async moveJobFromActiveToWait(jobId: string, token = '0'): Promise<number> {
    await this.ready();
    await withTx(this.ctx, async (x, fx) => {
      const n = await x.run(
        "UPDATE stryke_jobs SET state = 'waiting', lock_token = NULL, locked_until = NULL WHERE queue = ? AND id = ? AND state = 'active' AND (lock_token = ? OR ? = '0')",
        [this.queueName, jobId, token, token],
      );
      if (n > 0) {
        fx.events.push(['waiting', { jobId, prev: 'active' }]);
        fx.wake = true;
      } else if ((await x.all('SELECT id FROM stryke_jobs WHERE queue = ? AND id = ?', [this.queueName, jobId])).length === 0) {
        throw jobError(-1, jobId, 'moveJobFromActiveToWait');
      }
    });
    return reads.rateLimitRemaining(this.ctx);
  }

  async retryJob(jobId: string, lifo: boolean, token?: string, opts?: { fieldsToUpdate?: Record<string, any> }): Promise<void> {
    await this.ready();
    await withTx(this.ctx, (x, fx) => retryActive(this.ctx, x, fx, jobId, lifo, token, opts?.fieldsToUpdate ?? {}));
  }

  async retryFinishedJob<T, R, N extends string>(job: MinimalJob<T, R, N>, state: 'failed' | 'completed', opts: { resetAttemptsMade?: boolean; resetAttemptsStarted?: boolean } = {}): Promise<void> {
    await admin.retryOne(this.ctx, job.id!, state, !!job.opts?.lifo, !!opts.resetAttemptsMade, !!opts.resetAttemptsStarted);
  }

  async promote(jobId: string): Promise<void> {
    await admin.promote(this.ctx, jobId, 1);
  }

  async moveStalledJobsToWait(): Promise<string[]> {
    await this.ready();
    return withTx(this.ctx, (x, fx) => recoverStalled(this.ctx, x, fx, Date.now()));
  }

  async retryFinishedJobs(state: 'completed' | 'failed' = 'failed', count = 1000, timestamp = Date.now()): Promise<number> {
    return admin.retryFinished(this.ctx, state, count, timestamp);
  }

  promoteJobs(count = 1000): Promise<number> {
    return admin.promote(this.ctx, undefined, count);
  }

  pause(paused: boolean): Promise<void> {
    return admin.pause(this.ctx, paused);
  }

  drain(delayed: boolean): Promise<void> {
    return admin.drain(this.ctx, delayed);
  }

  cleanJobsByState(state: string, timestamp: number, limit = 0): Promise<string[]> {
    return admin.clean(this.ctx, state, timestamp, limit);
  }

  obliterate(opts: { force: boolean; count: number }): Promise<number> {
    return admin.obliterate(this.ctx, opts.force, opts.count);
  }

  /** A job is one row written with its state in one transaction, so there are no orphans to remove. */
  async removeOrphanedJobs(): Promise<number> {
    return 0;
  }

  async extendLock(jobId: string, token: string, duration: number): Promise<number> {
    return this.driver.run("UPDATE stryke_jobs SET locked_until = ? WHERE queue = ? AND id = ? AND state = 'active' AND lock_token = ?", [Date.now() + duration, this.queueName, jobId, token]);
  }

  async extendLocks(jobIds: string[], tokens: string[], duration: number): Promise<string[]> {
    return this.driver.tx(async (x) => {
      const failed: string[] = [];
      const until = Date.now() + duration;
      for (let i = 0; i < jobIds.length; i++) {
        const n = await x.run("UPDATE stryke_jobs SET locked_until = ? WHERE queue = ? AND id = ? AND state = 'active' AND lock_token = ?", [until, this.queueName, jobIds[i], tokens[i]]);
        if (n === 0) failed.push(jobIds[i]!);
      }
      return failed;
    });
  }

  // ---- job changes ------------------------------------------------------------------------------

  async updateData<T, R, N extends string>(job: MinimalJob<T, R, N>, data: T): Promise<void> {
    const n = await this.driver.run('UPDATE stryke_jobs SET data = ? WHERE queue = ? AND id = ?', [JSON.stringify(data ?? {}), this.queueName, job.id]);
    if (n === 0) throw jobError(-1, job.id!, 'updateData');
  }

  updateProgress(jobId: string, progress: JobProgress): Promise<void> {
    return admin.updateProgress(this.ctx, jobId, progress);
  }

  addLog(jobId: string, line: string, keepLogs?: number): Promise<number> {
    return admin.addLog(this.ctx, jobId, line, keepLogs);
  }

  async clearLogs(jobId: string, keepLogs?: number): Promise<void> {
    await reads.clearLogs(this.ctx, jobId, keepLogs);
  }

  changeDelay(jobId: string, delay: number): Promise<void> {
    return admin.changeDelay(this.ctx, jobId, delay);
  }

  changePriority(jobId: string, priority = 0, lifo = false): Promise<void> {
    return admin.changePriority(this.ctx, jobId, priority, lifo);
  }

  remove(jobId: string, removeChildren: boolean): Promise<number> {
    return admin.remove(this.ctx, jobId, removeChildren);
  }

  removeUnprocessedChildren(jobId: string): Promise<void> {
    return admin.removeUnprocessedChildren(this.ctx, jobId);
  }

  removeChildDependency(jobId: string, parentKey: string): Promise<boolean> {
    return withTx(this.ctx, (x, fx) => unlinkChild(this.ctx, x, fx, jobId, parentKey, Date.now()));
  }

  /** Removes the key only while `jobId` still holds it: an expired key is already gone (0). */
  removeDeduplicationKey(dedupId: string, jobId: string): Promise<number> {
    return this.driver.run('DELETE FROM stryke_job_dedup WHERE queue = ? AND dedup_id = ? AND job_id = ? AND (expire_at IS NULL OR expire_at > ?)', [
      this.queueName, dedupId, jobId, Date.now(),
    ]);
  }

  deleteDeduplicationKey(dedupId: string): Promise<number> {
    return this.driver.run('DELETE FROM stryke_job_dedup WHERE queue = ? AND dedup_id = ?', [this.queueName, dedupId]);
  }

  // ---- schedulers -------------------------------------------------------------------------------

  async updateJobSchedulerNextMillis(id: string, nextMillis: number, data: string, delayedOpts: JobsOptions, producerId?: string): Promise<string | null> {
    await this.ready();
    return sched.nextIteration(this.ctx, id, nextMillis, data, delayedOpts as Record<string, any>, producerId);
  }

  removeJobScheduler(id: string): Promise<number> {
    return sched.removeScheduler(this.ctx, id);
  }

  async getJobScheduler(id: string): Promise<[any, string | null]> {
    const [hash, next] = await sched.getScheduler(this.ctx, id);
    return [hash ? Object.entries(hash).flat() : null, next];
  }

  async isJobScheduler(id: string): Promise<boolean> {
    return (await sched.getScheduler(this.ctx, id))[0] !== null;
  }

  async getJobSchedulerData(key: string): Promise<Record<string, string>> {
    return (await sched.getScheduler(this.ctx, key))[0] ?? {};
  }

  getJobSchedulersRange(start: number, end: number, asc: boolean): Promise<string[]> {
    return sched.schedulerRange(this.ctx, start, end, asc);
  }

  getJobSchedulersCount(): Promise<number> {
    return sched.schedulerCount(this.ctx);
  }

  // ---- reads ------------------------------------------------------------------------------------

  async getState(jobId: string): Promise<JobState | 'unknown'> {
    await this.ready();
    return reads.getState(this.ctx, jobId);
  }

  isFinished(jobId: string, returnValue?: boolean): Promise<number | [number, string]> {
    return reads.isFinished(this.ctx, jobId, returnValue);
  }

  isMaxed(): Promise<boolean> {
    return reads.isMaxed(this.ctx);
  }

  isJobInState(state: string, jobId: string): Promise<boolean> {
    return reads.isJobInState(this.ctx, state, jobId);
  }

  async getJobData(jobId: string): Promise<JobJson | undefined> {
    await this.ready();
    return reads.getJobData(this.ctx, jobId);
  }

  async getDeduplicationJobId(dedupId: string): Promise<string | null> {
    const rows = await this.driver.all<{ job_id: string; expire_at: number | null }>('SELECT job_id, expire_at FROM stryke_job_dedup WHERE queue = ? AND dedup_id = ?', [this.queueName, dedupId]);
    const row = rows[0];
    return row && (row.expire_at == null || Number(row.expire_at) > Date.now()) ? row.job_id : null;
  }

  getJobLogs(jobId: string, start: number, end: number, asc: boolean): Promise<{ logs: string[]; count: number }> {
    return reads.getLogs(this.ctx, jobId, start, end, asc);
  }

  /**
   * BullMQ's semantics: with a limit (`maxJobs`, else the queue's global `max`) the window's remaining ms when
   * that many jobs ran in it, else 0; without one, the window's remaining ms, or -2 when no window is open.
   */
  async getRateLimitTtl(maxJobs?: number): Promise<number> {
    await this.ready();
    const now = Date.now();
    const meta = await getMetaMap(this.ctx, this.driver);
    const [count, until] = windowOf(meta.limiter);
    const open = until > now;
    const ttl = open ? until - now : -2;
    const max = maxJobs && maxJobs > 0 ? maxJobs : meta.max != null ? Number(meta.max) : undefined;
    if (max === undefined) return ttl;
    return open && max <= count ? ttl : 0;
  }

  async getCounts(types: JobType[], delayedTimestamp?: number): Promise<number[]> {
    await this.ready();
    return reads.getCounts(this.ctx, types, delayedTimestamp);
  }

  getCountsPerPriority(priorities: number[]): Promise<number[]> {
    return reads.countsPerPriority(this.ctx, priorities);
  }

  async getRanges(types: JobType[], start = 0, end = -1, asc = false): Promise<[string][]> {
    await this.ready();
    return (await reads.getRanges(this.ctx, types, start, end, asc)) as unknown as [string][];
  }

  getDependencyCounts(jobId: string, types: string[]): Promise<number[]> {
    return dependencyCounts(this.ctx, jobId, types);
  }

  getDependencies(jobId: string, opts: Record<string, any>): Promise<Record<string, any>> {
    return getDependencies(this.ctx, jobId, opts ?? {});
  }

  getProcessedChildrenValues(jobId: string): Promise<Record<string, string>> {
    return childValues(this.ctx, jobId, 'processed');
  }

  getIgnoredChildrenFailures(jobId: string): Promise<Record<string, string>> {
    return childValues(this.ctx, jobId, 'ignored');
  }

  getMetrics(type: 'completed' | 'failed', start = 0, end = -1): Promise<[string[], string[], number]> {
    return getMetrics(this.ctx, type, start, end);
  }

  paginate(key: string, opts: { start: number; end: number; fetchJobs?: boolean }): Promise<any> {
    return paginate(this.ctx, key, opts);
  }

}
