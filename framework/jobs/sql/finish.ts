/**
 * A job's finishing moves inside a transaction (completed, failed, delayed, back to waiting, stalled) and the
 * trimming of finished jobs they trigger.
 */
import { defer, type Exec } from './driver';
import { DRAIN_LOCK, forUpdate, type Ctx, type Effects } from './context';
import { claim, promoteDue, type NextJob } from './claim';
import { jobError, normalizeKeep, type Keep } from './rows';
import { finishDedup } from './dedup';
import { collectMetrics } from './metrics';
import { childCompleted, childFailed, parentRef, unfinishedParents, unlinkRemoved } from './flows';

export type FinishingRow = ActiveRow & { id: string; blocked: number | null };

export interface ActiveRow {
  state: string;
  lock_token: string | null;
  dedup_id: string | null;
  attempts_made: number;
  opts: string;
}

/** Loads an active job for a finishing move and checks the worker still holds its lock. */
async function lockedActive(ctx: Ctx, x: Exec, id: string, token: string | undefined, command: string): Promise<ActiveRow> {
  const rows = await x.all<ActiveRow>(`SELECT state, lock_token, dedup_id, attempts_made, opts FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [ctx.queue, id]);
  const problem = lockProblem(rows[0], id, token, command);
  if (problem) throw problem;
  return rows[0]!;
}

/** Why a finishing move may not touch this row (BullMQ's error for it), or undefined when it may. */
function lockProblem(row: ActiveRow | undefined, id: string, token: string | undefined, command: string): Error | undefined {
  if (!row) return jobError(-1, id, command);
  if (token && token !== '0') {
    if (row.lock_token == null) return jobError(-2, id, command);
    if (row.lock_token !== token) return jobError(-6, id, command, row.state);
  }
  if (row.state !== 'active') return jobError(-3, id, command);
  return undefined;
}

/**
 * The rows of jobs about to be finished, locked (pass the result to `completeMany`), each with `blocked`: 0
 * when a child failed it (failParentOnFailure), 1 when children are pending, null otherwise.
 */
export function finishingRowsQuery(ctx: Ctx, ids: string[]): [string, unknown[]] {
  const unique = [...new Set(ids)];
  return [
    `SELECT id, state, lock_token, dedup_id, attempts_made, opts, (SELECT MIN(CASE d.status WHEN 'failed' THEN 0 ELSE 1 END) FROM stryke_job_deps d
     WHERE d.parent_queue = j.queue AND d.parent_id = j.id AND d.status IN ('pending', 'failed')) AS blocked
     FROM stryke_jobs j WHERE queue = ? AND id IN (${unique.map(() => '?').join(', ')})${forUpdate(ctx)}`,
    [ctx.queue, ...unique],
  ];
}

export interface CompleteItem {
  id: string;
  returnValue: unknown;
  removeOnComplete: unknown;
  token: string;
}

/**
 * Completes several active jobs of one worker in one transaction: one locking read of their rows, one
 * UPDATE, then retention. A job whose lock the worker lost gets its error in the result (the others still
 * complete); the caller claims next jobs separately (`claimMany`).
 */
export async function completeMany(ctx: Ctx, x: Exec, fx: Effects, items: CompleteItem[], now: number, read?: Array<FinishingRow>): Promise<(Error | undefined)[]> {
  let rows = read;
  if (!rows) {
    const [sql, params] = finishingRowsQuery(ctx, items.map((i) => i.id));
    rows = await x.all<FinishingRow>(sql, params);
  }
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  const taken = new Set<string>();
  const ok: Array<{ item: CompleteItem; row: ActiveRow; value: string }> = [];
  const errors = items.map((item) => {
    let problem = taken.has(item.id) ? jobError(-3, item.id, 'moveToFinished') : lockProblem(byId.get(item.id), item.id, item.token, 'moveToFinished');
    const blocked = byId.get(item.id)?.blocked;
    if (!problem && blocked != null) problem = jobError(Number(blocked) === 0 ? -9 : -4, item.id, 'moveToFinished');
    if (problem) return problem;
    taken.add(item.id);
    ok.push({ item, row: byId.get(item.id)!, value: JSON.stringify(item.returnValue ?? null) });
    return undefined;
  });
  if (ok.length === 0) return errors;
  const params: unknown[] = [];
  for (const o of ok) params.push(o.item.id, o.value);
  await defer(
    x,
    `UPDATE stryke_jobs SET state = 'completed', return_value = CASE id ${ok.map(() => 'WHEN ? THEN ?').join(' ')} END, finished_at = ?, lock_token = NULL,
     locked_until = NULL, attempts_made = attempts_made + 1 WHERE queue = ? AND id IN (${ok.map(() => '?').join(', ')})`,
    [...params, now, ctx.queue, ...ok.map((o) => o.item.id)],
  );
  const removed: string[] = [];
  for (const o of ok) {
    fx.events.push(['completed', { jobId: o.item.id, returnvalue: o.value, prev: 'active' }]);
    const parent = parentRef(JSON.parse(o.row.opts || '{}'));
    if (parent) await childCompleted(ctx, x, fx, o.item.id, parent, o.value, now);
    const keep = normalizeKeep(o.item.removeOnComplete ?? ctx.opts.removeOnComplete);
    if (keep.all) removed.push(o.item.id);
    else await retain(ctx, x, o.item.id, 'completed', keep, now);
    await finishDedup(ctx, x, fx, o.item.id, o.row.dedup_id, now);
  }
  await collectMetrics(ctx, x, 'completed', ok.length, now);
  if (removed.length > 0) {
    const list = removed.map(() => '?').join(', ');
    // A removed parent takes its children's results with it.
    await defer(x, `DELETE FROM stryke_job_deps WHERE parent_queue = ? AND parent_id IN (${list})`, [ctx.queue, ...removed]);
    await defer(x, `DELETE FROM stryke_jobs WHERE queue = ? AND id IN (${list})`, [ctx.queue, ...removed]);
    await defer(x, `DELETE FROM stryke_job_logs WHERE queue = ? AND job_id IN (${list})`, [ctx.queue, ...removed]);
  }
  return errors;
}

const finishedSinceTrim = new Map<string, number>();

/**
 * Whether to trim to `keep` finished jobs now: every time for small counts, else every keep/10 finishes of
 * this process (finding the edge costs a walk over `keep` index entries), so a queue may hold up to 10%
 * more than `keep` between trims.
 */
function dueForTrim(key: string, keep: number): boolean {
  const n = (finishedSinceTrim.get(key) ?? 0) + 1;
  if (n < Math.max(1, Math.floor(keep / 10))) {
    finishedSinceTrim.set(key, n);
    return false;
  }
  finishedSinceTrim.set(key, 0);
  return true;
}

/**
 * `DELETE` of finished jobs by (state, finished_at). On MySQL through the finished index by force: the
 * optimizer otherwise may walk the whole queue by primary key, locking (and waiting on) rows other workers hold.
 */
function deleteFinished(ctx: Ctx): string {
  return ctx.driver.dialect === 'mysql' ? 'DELETE j FROM stryke_jobs j FORCE INDEX (stryke_jobs_finished)' : 'DELETE FROM stryke_jobs';
}

/** `DELETE` of the logs of the finished jobs `where` selects (run before the jobs' own DELETE). */
function deleteFinishedLogs(ctx: Ctx, where: string): string {
  if (ctx.driver.dialect === 'mysql') {
    const joined = where.replace(/\b(queue|state|finished_at|id|seq)\b/g, 'j.$1');
    return `DELETE l FROM stryke_jobs j FORCE INDEX (stryke_jobs_finished) JOIN stryke_job_logs l ON l.queue = j.queue AND l.job_id = j.id WHERE ${joined}`;
  }
  return `DELETE FROM stryke_job_logs WHERE (queue, job_id) IN (SELECT queue, id FROM stryke_jobs WHERE ${where})`;
}

/** Applies removeOnComplete/removeOnFail after a job finished. */
async function retain(ctx: Ctx, x: Exec, id: string, state: 'completed' | 'failed', keep: Keep, now: number): Promise<void> {
  if (keep.all) {
    await x.run('DELETE FROM stryke_jobs WHERE queue = ? AND id = ?', [ctx.queue, id]);
    await x.run('DELETE FROM stryke_job_logs WHERE queue = ? AND job_id = ?', [ctx.queue, id]);
    return;
  }
  if (keep.age != null && keep.age >= 0) {
    const where = 'queue = ? AND state = ? AND finished_at <= ?';
    const params = [ctx.queue, state, now - keep.age * 1000];
    await x.run(deleteFinishedLogs(ctx, where), params);
    await x.run(`${deleteFinished(ctx)} WHERE ${where}`, params);
  }
  if (keep.count != null && keep.count >= 0 && dueForTrim(`${ctx.driver.key}|${ctx.queue}|${state}`, keep.count)) {
    // Ties within one millisecond break by a column the finished index already orders by: on MySQL the
    // primary key's `id` (InnoDB appends it to every secondary index), so the walk needs no sort of all the
    // finished jobs; on SQLite `seq`.
    const tie = ctx.driver.dialect === 'mysql' ? 'id' : 'seq';
    const edge = await x.all<{ finished_at: number; tie: unknown }>(
      `SELECT finished_at, ${tie} AS tie FROM stryke_jobs WHERE queue = ? AND state = ? ORDER BY finished_at DESC, ${tie} DESC LIMIT 1 OFFSET ?`,
      [ctx.queue, state, keep.count],
    );
    if (edge[0]) {
      const where = `queue = ? AND state = ? AND finished_at <= ? AND (finished_at < ? OR ${tie} <= ?)`;
      const params = [ctx.queue, state, edge[0].finished_at, edge[0].finished_at, edge[0].tie];
      await defer(x, deleteFinishedLogs(ctx, where), params);
      await defer(x, `${deleteFinished(ctx)} WHERE ${where}`, params);
    }
  }
}

/**
 * After a finishing move whose next claim found nothing waiting: the queue is drained, as BullMQ says it on
 * Redis, only when no job is active either (a worker's other jobs still running, or another worker's).
 */
export async function announceDrained(ctx: Ctx, x: Exec, fx: Effects): Promise<void> {
  if (await anyActive(ctx, x)) {
    if (ctx.driver.dialect !== 'mysql') return;
    // Two transactions finishing a queue's last two jobs each still see the other's job active (neither has
    // committed), and neither would say `drained`. Those that see a job active take the queue's drain lock
    // and look again: the second to get it sees the first one's commit (READ COMMITTED), so the last to
    // finish says it. SQLite has one writer at a time, so its first look is already the last.
    await x.run(ctx.driver.upsert('stryke_job_meta', ['queue', 'field', 'value'], ['queue', 'field'], ['value']), [ctx.queue, DRAIN_LOCK, '1']);
    if (await anyActive(ctx, x)) return;
  }
  fx.events.push(['drained', {}]);
}

async function anyActive(ctx: Ctx, x: Exec): Promise<boolean> {
  const active = await x.all("SELECT id FROM stryke_jobs WHERE queue = ? AND state = 'active' LIMIT 1", [ctx.queue]);
  return active.length > 0;
}

async function afterFinish(ctx: Ctx, x: Exec, fx: Effects, token: string, fetchNext: boolean, now: number): Promise<NextJob | undefined> {
  if (!fetchNext) return undefined;
  const next = await claim(ctx, x, fx, token, ctx.opts.name, now);
  if (!next[0] && next[2] === 0) await announceDrained(ctx, x, fx);
  return next;
}

export async function complete(
  ctx: Ctx, x: Exec, fx: Effects, id: string, returnValue: unknown, removeOnComplete: unknown, token: string, fetchNext: boolean,
): Promise<{ result: NextJob | undefined; finishedOn: number }> {
  const row = await lockedActive(ctx, x, id, token, 'moveToFinished');
  const blocked = (await unfinishedParents(ctx, x, [id])).get(id);
  if (blocked) throw jobError(blocked, id, 'moveToFinished');
  const now = Date.now();
  const value = JSON.stringify(returnValue ?? null);
  await x.run(
    "UPDATE stryke_jobs SET state = 'completed', return_value = ?, finished_at = ?, lock_token = NULL, locked_until = NULL, attempts_made = attempts_made + 1 WHERE queue = ? AND id = ?",
    [value, now, ctx.queue, id],
  );
  fx.events.push(['completed', { jobId: id, returnvalue: value, prev: 'active' }]);
  const parent = parentRef(JSON.parse(row.opts || '{}'));
  if (parent) await childCompleted(ctx, x, fx, id, parent, value, now);
  await collectMetrics(ctx, x, 'completed', 1, now);
  const keep = normalizeKeep(removeOnComplete ?? ctx.opts.removeOnComplete);
  if (keep.all) await x.run('DELETE FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ?', [ctx.queue, id]);
  await retain(ctx, x, id, 'completed', keep, now);
  await finishDedup(ctx, x, fx, id, row.dedup_id, now);
  return { result: await afterFinish(ctx, x, fx, token, fetchNext, now), finishedOn: now };
}

export async function fail(
  ctx: Ctx, x: Exec, fx: Effects, id: string, reason: string, removeOnFail: unknown, token: string, fetchNext: boolean, stacktrace?: string,
): Promise<{ result: NextJob | undefined; finishedOn: number }> {
  const row = await lockedActive(ctx, x, id, token, 'moveToFinished');
  const now = Date.now();
  await x.run(
    "UPDATE stryke_jobs SET state = 'failed', failed_reason = ?, stacktrace = COALESCE(?, stacktrace), finished_at = ?, lock_token = NULL, locked_until = NULL, deferred_failure = NULL, attempts_made = attempts_made + 1 WHERE queue = ? AND id = ?",
    [reason, stacktrace ?? null, now, ctx.queue, id],
  );
  fx.events.push(['failed', { jobId: id, failedReason: reason, prev: 'active' }]);
  const jobOpts = JSON.parse(row.opts || '{}') as Record<string, any>;
  await childFailed(ctx, x, fx, id, jobOpts, reason, now);
  await collectMetrics(ctx, x, 'failed', 1, now);
  const attempts = Number(jobOpts.attempts ?? 1);
  if (Number(row.attempts_made) + 1 >= attempts) fx.events.push(['retries-exhausted', { jobId: id, attemptsMade: Number(row.attempts_made) + 1 }]);
  const keep = normalizeKeep(removeOnFail ?? ctx.opts.removeOnFail);
  // A child removed as it fails no longer holds its parent back (as `job.remove()` would).
  if (keep.all) await unlinkRemoved(ctx, x, fx, ctx.queue, id, jobOpts, now);
  await retain(ctx, x, id, 'failed', keep, now);
  await finishDedup(ctx, x, fx, id, row.dedup_id, now);
  return { result: await afterFinish(ctx, x, fx, token, fetchNext, now), finishedOn: now };
}

/** Active to delayed (a retry with backoff, or `job.moveToDelayed`). */
export async function delayActive(
  ctx: Ctx, x: Exec, fx: Effects, id: string, processAt: number, delay: number, token: string | undefined,
  fields: { failedReason?: string; stacktrace?: string }, skipAttempt: boolean,
): Promise<void> {
  await lockedActive(ctx, x, id, token, 'moveToDelayed');
  await x.run(
    `UPDATE stryke_jobs SET state = 'delayed', process_at = ?, delay_ms = ?, failed_reason = COALESCE(?, failed_reason), stacktrace = COALESCE(?, stacktrace),
     lock_token = NULL, locked_until = NULL, attempts_made = attempts_made + ? WHERE queue = ? AND id = ?`,
    [processAt, delay, fields.failedReason ?? null, fields.stacktrace ?? null, skipAttempt ? 0 : 1, ctx.queue, id],
  );
  fx.events.push(['delayed', { jobId: id, delay: processAt }]);
  fx.wake = true;
}

/** Active back to waiting at once (a retry without backoff). */
export async function retryActive(ctx: Ctx, x: Exec, fx: Effects, id: string, lifo: boolean, token: string | undefined, fields: { failedReason?: string; stacktrace?: string }): Promise<void> {
  await lockedActive(ctx, x, id, token, 'retryJob');
  // Delayed jobs already due go first (BullMQ promotes them before requeueing the retried job).
  await promoteDue(ctx, x, fx, Date.now());
  const seq = await ctx.driver.bump(x, ctx.queue, 'seq', 1);
  await x.run(
    `UPDATE stryke_jobs SET state = 'waiting', seq = ?, process_at = NULL, failed_reason = COALESCE(?, failed_reason), stacktrace = COALESCE(?, stacktrace),
     lock_token = NULL, locked_until = NULL, attempts_made = attempts_made + 1 WHERE queue = ? AND id = ?`,
    [lifo ? -seq : seq, fields.failedReason ?? null, fields.stacktrace ?? null, ctx.queue, id],
  );
  fx.events.push(['waiting', { jobId: id, prev: 'active' }]);
  fx.wake = true;
}

/** Recovers active jobs whose lock expired (their worker died or hung): back to waiting, counted. */
export async function recoverStalled(ctx: Ctx, x: Exec, fx: Effects, now: number): Promise<string[]> {
  const interval = Number(ctx.opts.stalledInterval ?? 30000);
  const last = await x.all<{ value: string }>(`SELECT value FROM stryke_job_meta WHERE queue = ? AND field = 'stalled-check'${forUpdate(ctx)}`, [ctx.queue]);
  if (last[0] && now < Number(last[0].value) + interval) return [];
  await x.run(ctx.driver.upsert('stryke_job_meta', ['queue', 'field', 'value'], ['queue', 'field'], ['value']), [ctx.queue, 'stalled-check', String(now)]);
  const stalled = await x.all<{ id: string; stalled_count: number; scheduler_id: string | null }>(
    `SELECT id, stalled_count, scheduler_id FROM stryke_jobs WHERE queue = ? AND state = 'active' AND locked_until < ?${ctx.driver.claimLock}`,
    [ctx.queue, now],
  );
  const maxStalled = Number(ctx.opts.maxStalledCount ?? 1);
  for (const job of stalled) {
    const count = Number(job.stalled_count) + 1;
    const seq = await ctx.driver.bump(x, ctx.queue, 'seq', 1);
    const failure = count > maxStalled && !job.scheduler_id ? 'job stalled more than allowable limit' : null;
    await x.run(
      "UPDATE stryke_jobs SET state = 'waiting', seq = ?, lock_token = NULL, locked_until = NULL, stalled_count = ?, deferred_failure = COALESCE(?, deferred_failure) WHERE queue = ? AND id = ?",
      [seq, count, failure, ctx.queue, job.id],
    );
    fx.events.push(['stalled', { jobId: job.id }]);
    fx.events.push(['waiting', { jobId: job.id, prev: 'active' }]);
  }
  if (stalled.length > 0) fx.wake = true;
  return stalled.map((j) => j.id);
}
