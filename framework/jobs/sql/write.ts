import type { JobJson } from 'bullmq';
import { defer, valuesList, type Exec } from './driver';
import { forUpdate, type Ctx, type Effects } from './context';
import { claim, promoteDue, type NextJob } from './claim';
import { jobError, normalizeKeep, type Keep } from './rows';
import { deduplicate, finishDedup, type DedupOpts } from './dedup';
import { collectMetrics } from './metrics';
import { childCompleted, childFailed, jobExists, jobKey, linkChild, parentRef, unfinishedParents, unlinkRemoved, type ParentRef } from './flows';

interface ParentKeyOpts {
  parentKey?: string;
  addToWaitingChildren?: boolean;
}

const INSERT_JOB = `INSERT INTO stryke_jobs (queue, id, seq, name, state, data, opts, priority, delay_ms, added_at, process_at, dedup_id, scheduler_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Inserts one job (or finds its duplicate) inside a transaction; returns its id. */
export async function insertJob(ctx: Ctx, x: Exec, fx: Effects, job: JobJson, jobId: string, parentOpts?: ParentKeyOpts): Promise<string> {
  const out = await insertNode(ctx, x, fx, job, jobId, !!parentOpts?.addToWaitingChildren);
  if (typeof out === 'number') {
    const parent = parentOf(job);
    throw jobError(out as -5 | -7, jobId || String(job.id ?? ''), 'addJob', 'active', parentOpts?.parentKey ?? (parent && jobKey(parent.queue, parent.id)));
  }
  return out;
}

function parentOf(job: JobJson): ParentRef | undefined {
  const p = (job as { parent?: { id?: unknown; queueKey?: unknown } }).parent;
  if (p && p.id != null && p.queueKey) return { id: String(p.id), queue: String(p.queueKey) };
  return parentRef(job.opts as Record<string, any> | undefined);
}

/**
 * Inserts one job of a flow or a plain add; returns its id, the id of the job that deduplicated it, or BullMQ's
 * -5 (the parent is missing) or -7 (the existing job has another parent). `waitChildren`: a parent added with
 * its children, waiting for them.
 */
export async function insertNode(ctx: Ctx, x: Exec, fx: Effects, job: JobJson, jobId: string, waitChildren: boolean): Promise<string | number> {
  let opts = (job.opts ?? {}) as Record<string, any>;
  const parent = parentOf(job);
  if (parent && !opts.parent) opts = { ...opts, parent: { id: parent.id, queue: parent.queue } };
  const now = Date.now();
  const given = jobId || job.id;
  const ids = given ? undefined : startIds(ctx, x, 1);
  const seq = await ctx.driver.bump(x, ctx.queue, 'seq', 1);
  const id = given || String(ctx.driver.idsFromSeq ? seq : await (ids ?? ctx.driver.bump(x, ctx.queue, 'id', 1)));
  const dedup = (opts.deduplication ?? opts.debounce) as DedupOpts | undefined;
  if (dedup?.id) {
    const winner = await deduplicate(ctx, x, fx, dedup, id, now, { name: job.name, data: job.data ?? '{}', opts });
    if (winner !== null) return winner;
  }
  if (parent && !(await jobExists(x, parent.queue, parent.id))) return -5;
  const delay = Number(job.delay ?? opts.delay ?? 0);
  const timestamp = Number(job.timestamp ?? now);
  const state = waitChildren ? 'waiting-children' : delay > 0 ? 'delayed' : 'waiting';
  const processAt = state === 'delayed' ? timestamp + delay : null;
  const storedOpts = job.delay == null ? opts : { ...opts, delay: job.delay };
  const inserted = await x.run(INSERT_JOB.replace('INSERT INTO', `${ctx.driver.insertIgnore} INTO`), [
    ctx.queue, id, opts.lifo ? -seq : seq, job.name, state, job.data ?? '{}', JSON.stringify(storedOpts),
    Number(opts.priority ?? 0), delay, timestamp, processAt, dedup?.id ?? null, job.repeatJobKey ?? null,
  ]);
  if (parent) {
    const code = await linkChild(ctx, x, fx, id, inserted > 0, parent, now);
    if (code < 0) return code;
  }
  if (inserted === 0) {
    fx.events.push(['duplicated', { jobId: id }]);
    return id;
  }
  fx.events.push(['added', { jobId: id, name: job.name }]);
  if (state === 'waiting-children') fx.events.push(['waiting-children', { jobId: id }]);
  else fx.events.push(state === 'delayed' ? ['delayed', { jobId: id, delay: processAt }] : ['waiting', { jobId: id }]);
  if (state !== 'waiting-children') fx.wake = true;
  return id;
}

/**
 * Where the driver reserves job ids apart from the transaction (MySQL, on its id connection), starts the
 * reservation now, so its round trip runs beside the transaction's next statement instead of after it (an
 * `addBulk` of 500 on MariaDB spent about a seventh of its time waiting for it). Else undefined: the caller
 * bumps the id counter in the transaction, in order. The promise is awaited by the caller; the no-op catch
 * only keeps a rejection from counting as unhandled if the caller fails first.
 */
function startIds(ctx: Ctx, x: Exec, n: number): Promise<number> | undefined {
  if (ctx.driver.idsFromSeq || !ctx.driver.idsApart) return undefined;
  const pending = ctx.driver.bump(x, ctx.queue, 'id', n);
  pending.catch(() => undefined);
  return pending;
}

/** Jobs per multi-row INSERT (13 parameters each). */
const INSERT_CHUNK = 500;

/**
 * Inserts an `addBulk`'s jobs in one go when none has its own id, deduplication or parent (the usual bulk
 * add): one block of sequence numbers (and ids) for all, one multi-row INSERT per 500 jobs. Otherwise job
 * by job, through `insertJob`. Returns the ids in order.
 */
export async function insertJobs(ctx: Ctx, x: Exec, fx: Effects, entries: { job: JobJson; jobId: string; parentKeyOpts?: ParentKeyOpts }[]): Promise<string[]> {
  const plain = (e: (typeof entries)[number]) =>
    !e.jobId && !e.job.id && !e.job.parent && !e.job.parentKey && !e.parentKeyOpts?.parentKey && !(e.job.opts as Record<string, any> | undefined)?.deduplication?.id;
  if (entries.length < 2 || !ctx.driver.blockIds() || !entries.every(plain)) {
    const ids: string[] = [];
    for (const e of entries) ids.push(await insertJob(ctx, x, fx, e.job, e.jobId, e.parentKeyOpts));
    return ids;
  }
  const n = entries.length;
  const now = Date.now();
  const reserved = startIds(ctx, x, n);
  const firstSeq = (await ctx.driver.bump(x, ctx.queue, 'seq', n)) - n + 1;
  const firstId = ctx.driver.idsFromSeq ? firstSeq : (await (reserved ?? ctx.driver.bump(x, ctx.queue, 'id', n))) - n + 1;
  const ids: string[] = [];
  for (let start = 0; start < n; start += INSERT_CHUNK) {
    const chunk = entries.slice(start, start + INSERT_CHUNK);
    const params: unknown[] = [];
    chunk.forEach(({ job }, k) => {
      const i = start + k;
      const opts = (job.opts ?? {}) as Record<string, any>;
      const id = String(firstId + i);
      const seq = firstSeq + i;
      const delay = Number(job.delay ?? opts.delay ?? 0);
      const timestamp = Number(job.timestamp ?? now);
      const processAt = delay > 0 ? timestamp + delay : null;
      const storedOpts = job.delay == null ? opts : { ...opts, delay: job.delay };
      params.push(ctx.queue, id, opts.lifo ? -seq : seq, job.name, delay > 0 ? 'delayed' : 'waiting', job.data ?? '{}', JSON.stringify(storedOpts),
        Number(opts.priority ?? 0), delay, timestamp, processAt, null, job.repeatJobKey ?? null);
      ids.push(id);
      fx.events.push(['added', { jobId: id, name: job.name }]);
      fx.events.push(delay > 0 ? ['delayed', { jobId: id, delay: processAt }] : ['waiting', { jobId: id }]);
    });
    await defer(x, `${INSERT_JOB.slice(0, INSERT_JOB.indexOf('VALUES'))}VALUES ${valuesList(chunk.length, 13)}`, params);
  }
  fx.wake = true;
  return ids;
}

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

async function afterFinish(ctx: Ctx, x: Exec, fx: Effects, token: string, fetchNext: boolean, now: number): Promise<NextJob | undefined> {
  if (!fetchNext) return undefined;
  const next = await claim(ctx, x, fx, token, ctx.opts.name, now);
  if (!next[0] && next[2] === 0) fx.events.push(['drained', {}]);
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
