import { JobsErrors } from '../errors';
import { defer, marks, type Exec } from './driver';
import { forUpdate, getMeta, setMeta, withTx, type Ctx, type Effects } from './context';
import { jobError } from './rows';
import { promoteDue } from './claim';
import { removeDedup } from './dedup';
import { jobKey, onQueue, parentRef, pendingChildren, releaseParent, subtree, unlinkRemoved } from './flows';

/** The WHERE clause of one BullMQ job type ("wait", "prioritized", ...) over `stryke_jobs`. */
export function typeFilter(type: string): string | undefined {
  switch (type) {
    case 'wait':
    case 'waiting':
    case 'paused':
      return "state = 'waiting' AND priority = 0";
    case 'prioritized':
      return "state = 'waiting' AND priority > 0";
    case 'active':
    case 'delayed':
    case 'completed':
    case 'failed':
    case 'waiting-children':
      return `state = '${type}'`;
    default:
      return undefined;
  }
}

async function deleteJobs(ctx: Ctx, x: Exec, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    await x.run(`DELETE FROM stryke_jobs WHERE queue = ? AND id IN (${marks(part.length)})`, [ctx.queue, ...part]);
    await x.run(`DELETE FROM stryke_job_logs WHERE queue = ? AND job_id IN (${marks(part.length)})`, [ctx.queue, ...part]);
  }
}

export function pause(ctx: Ctx, paused: boolean): Promise<void> {
  return withTx(ctx, async (x, fx) => {
    await setMeta(ctx, x, 'paused', paused ? '1' : '0');
    fx.events.push([paused ? 'paused' : 'resumed', {}]);
    fx.wake = !paused;
  });
}

/**
 * Removes the waiting (and delayed) jobs. A removed child leaves its parent's pending children: a parent of
 * this queue left with none is removed too, one in another queue moves on.
 */
export function drain(ctx: Ctx, delayed: boolean): Promise<void> {
  return withTx(ctx, async (x, fx) => {
    const states = delayed ? "('waiting', 'delayed')" : "('waiting')";
    const rows = await x.all<{ id: string; opts: string }>(`SELECT id, opts FROM stryke_jobs WHERE queue = ? AND state IN ${states} AND scheduler_id IS NULL`, [ctx.queue]);
    await deleteJobs(ctx, x, rows.map((r) => r.id));
    await childrenRemoved(ctx, x, fx, rows);
  });
}

/**
 * After unprocessed jobs were deleted in bulk (drain, clean): each leaves its parent's pending children. A
 * parent left with none is removed when it is of this queue, and moves on when it is of another.
 */
async function childrenRemoved(ctx: Ctx, x: Exec, fx: Effects, rows: Array<{ id: string; opts: string }>): Promise<void> {
  const parents = new Map<string, { queue: string; id: string }>();
  for (const r of rows) {
    const parent = r.opts.includes('"parent"') ? parentRef(JSON.parse(r.opts)) : undefined;
    if (!parent) continue;
    await x.run("DELETE FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ? AND child_queue = ? AND child_id = ? AND status = 'pending'", [parent.queue, parent.id, ctx.queue, r.id]);
    parents.set(jobKey(parent.queue, parent.id), parent);
  }
  const now = Date.now();
  for (const parent of parents.values()) {
    if ((await pendingChildren(x, parent)) > 0) continue;
    if (parent.queue !== ctx.queue) await releaseParent(ctx, x, fx, parent, now);
    else if ((await x.run("DELETE FROM stryke_jobs WHERE queue = ? AND id = ? AND state = 'waiting-children'", [parent.queue, parent.id])) > 0) {
      await x.run('DELETE FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ?', [parent.queue, parent.id]);
    }
  }
}

export function clean(ctx: Ctx, type: string, timestamp: number, limit: number): Promise<string[]> {
  return withTx(ctx, async (x, fx) => {
    const filter = typeFilter(type);
    if (!filter) return [];
    const finished = type === 'completed' || type === 'failed';
    const time = finished ? 'finished_at' : 'added_at';
    // A scheduler's next run is not cleaned (it goes with its scheduler).
    const ours = finished ? '' : ' AND scheduler_id IS NULL';
    const rows = await x.all<{ id: string; opts: string }>(
      `SELECT id, opts FROM stryke_jobs WHERE queue = ? AND ${filter}${ours} AND ${time} <= ? ORDER BY seq${limit > 0 ? ` LIMIT ${Math.floor(limit)}` : ''}`,
      [ctx.queue, timestamp],
    );
    const ids = rows.map((r) => r.id);
    await deleteJobs(ctx, x, ids);
    // A failed child still counts as its parent's pending child (as on Redis): cleaning it lets the parent go
    // on, or removes a parent of this queue left with nothing to wait for. A completed child's link is no
    // longer pending, so cleaning completed jobs leaves parents alone.
    if (type !== 'completed') await childrenRemoved(ctx, x, fx, rows);
    fx.events.push(['cleaned', { count: ids.length }]);
    return ids;
  });
}

/** Deletes up to `count` jobs of a paused queue; 0 once nothing of the queue is left. */
export function obliterate(ctx: Ctx, force: boolean, count: number): Promise<number> {
  return withTx(ctx, async (x) => {
    if ((await getMeta(ctx, x, 'paused')) !== '1') throw JobsErrors.NOT_PAUSED(ctx.queue);
    if (!force) {
      const active = await x.all<{ n: number }>("SELECT COUNT(*) AS n FROM stryke_jobs WHERE queue = ? AND state = 'active'", [ctx.queue]);
      if (Number(active[0]!.n) > 0) throw JobsErrors.ACTIVE_JOBS(ctx.queue, Number(active[0]!.n));
    }
    const batch = await x.all<{ id: string }>(`SELECT id FROM stryke_jobs WHERE queue = ? LIMIT ${Math.max(1, Math.floor(count || 1000))}`, [ctx.queue]);
    await deleteJobs(ctx, x, batch.map((r) => r.id));
    const left = await x.all<{ id: string }>('SELECT id FROM stryke_jobs WHERE queue = ? LIMIT 1', [ctx.queue]);
    if (left.length > 0) return 1;
    await x.run('DELETE FROM stryke_job_deps WHERE parent_queue = ?', [ctx.queue]);
    await x.run('DELETE FROM stryke_job_deps WHERE child_queue = ?', [ctx.queue]);
    // MySQL keeps the queue's id counter: processes may still hold blocks of ids drawn from it.
    await x.run(`DELETE FROM stryke_job_counters WHERE queue = ?${ctx.driver.dialect === 'mysql' ? " AND name <> 'id'" : ''}`, [ctx.queue]);
    for (const table of ['stryke_job_meta', 'stryke_job_dedup', 'stryke_job_dedup_next', 'stryke_job_metrics', 'stryke_job_schedulers', 'stryke_job_events', 'stryke_job_logs']) {
      await x.run(`DELETE FROM ${table} WHERE queue = ?`, [ctx.queue]);
    }
    return 0;
  });
}

const RETRY_BATCH = 1000;

async function requeue(ctx: Ctx, x: Exec, fx: Effects, ids: string[], prev: string, lifo = false): Promise<void> {
  if (ids.length === 0) return;
  const top = await ctx.driver.bump(x, ctx.queue, 'seq', ids.length);
  let seq = top - ids.length;
  for (const id of ids) {
    seq++;
    await defer(
      x,
      `UPDATE stryke_jobs SET state = 'waiting', seq = ?, process_at = NULL, finished_at = NULL, processed_at = NULL, return_value = NULL,
       failed_reason = NULL, stacktrace = NULL, lock_token = NULL, locked_until = NULL, deferred_failure = NULL WHERE queue = ? AND id = ?`,
      [lifo ? -seq : seq, ctx.queue, id],
    );
    fx.events.push(['waiting', { jobId: id, prev }]);
  }
  fx.wake = true;
}

/** Moves up to `count` finished jobs (finished before `timestamp`) back to waiting; returns how many are left. */
export function retryFinished(ctx: Ctx, state: string, count: number, timestamp: number): Promise<number> {
  // BullMQ's `count` is how many jobs one call moves, sized so a Redis script does not block the server for
  // long. A transaction here blocks nobody else's reads, so one call moves at least RETRY_BATCH: the jobs
  // go back together, and none retried by an early call can complete again before the last call runs.
  const batch = Math.max(Math.floor(count) || 0, RETRY_BATCH);
  return withTx(ctx, async (x, fx) => {
    const rows = await x.all<{ id: string }>(
      `SELECT id FROM stryke_jobs WHERE queue = ? AND state = ? AND finished_at <= ? ORDER BY finished_at LIMIT ${batch}${forUpdate(ctx)}`,
      [ctx.queue, state, timestamp],
    );
    // Delayed jobs already due go first: they were due before these were sent back.
    if (rows.length > 0) await promoteDue(ctx, x, fx, Date.now());
    await requeue(ctx, x, fx, rows.map((r) => r.id), state);
    const left = await x.all<{ id: string }>('SELECT id FROM stryke_jobs WHERE queue = ? AND state = ? AND finished_at <= ? LIMIT 1', [ctx.queue, state, timestamp]);
    return left.length;
  });
}

/** Reprocesses one finished job (`job.retry()`). */
export function retryOne(ctx: Ctx, id: string, state: string, lifo: boolean, resetMade: boolean, resetStarted: boolean): Promise<void> {
  return withTx(ctx, async (x, fx) => {
    const rows = await x.all<{ state: string; opts: string }>(`SELECT state, opts FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [ctx.queue, id]);
    if (!rows[0]) throw jobError(-1, id, 'reprocessJob', state);
    if (rows[0].state !== state) throw jobError(-3, id, 'reprocessJob', state);
    // Delayed jobs already due go first (a scheduler's next run, due while this one had failed).
    await promoteDue(ctx, x, fx, Date.now());
    await requeue(ctx, x, fx, [id], state, lifo);
    // A child run again is pending for its parent again.
    const parent = parentRef(JSON.parse(rows[0].opts || '{}'));
    if (parent) {
      await x.run('UPDATE stryke_job_deps SET status = ?, value = NULL WHERE parent_queue = ? AND parent_id = ? AND child_queue = ? AND child_id = ? AND status = ?', [
        'pending', parent.queue, parent.id, ctx.queue, id, state === 'failed' ? 'failed' : 'processed',
      ]);
    }
    if (resetMade) await x.run('UPDATE stryke_jobs SET attempts_made = 0 WHERE queue = ? AND id = ?', [ctx.queue, id]);
    if (resetStarted) await x.run('UPDATE stryke_jobs SET attempts_started = 0 WHERE queue = ? AND id = ?', [ctx.queue, id]);
  });
}

/** Promotes delayed jobs to waiting now; `id` for one job, else up to `count`. Returns how many are left. */
export function promote(ctx: Ctx, id: string | undefined, count: number): Promise<number> {
  return withTx(ctx, async (x, fx) => {
    const rows = id
      ? await x.all<{ id: string; state: string }>(`SELECT id, state FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [ctx.queue, id])
      : await x.all<{ id: string; state: string }>(`SELECT id, state FROM stryke_jobs WHERE queue = ? AND state = 'delayed' ORDER BY process_at LIMIT ${Math.floor(count)}${forUpdate(ctx)}`, [ctx.queue]);
    if (id && !rows[0]) throw jobError(-1, id, 'promote', 'delayed');
    if (id && rows[0]!.state !== 'delayed') throw jobError(-3, id, 'promote', 'delayed');
    const top = await ctx.driver.bump(x, ctx.queue, 'seq', Math.max(rows.length, 1));
    let seq = top - rows.length;
    for (const row of rows) {
      await x.run("UPDATE stryke_jobs SET state = 'waiting', delay_ms = 0, process_at = NULL, seq = ? WHERE queue = ? AND id = ?", [++seq, ctx.queue, row.id]);
      fx.events.push(['waiting', { jobId: row.id, prev: 'delayed' }]);
    }
    fx.wake = rows.length > 0;
    if (id) return 0;
    const left = await x.all<{ id: string }>("SELECT id FROM stryke_jobs WHERE queue = ? AND state = 'delayed' LIMIT 1", [ctx.queue]);
    return left.length;
  });
}

/**
 * Removes one job (with `children`, its pending descendants too, in any queue) unless a worker holds one of
 * them; 1 when removed, 0 when locked. A removed child leaves its parent's pending children (the parent moves on
 * when it was the last one).
 */
export function remove(ctx: Ctx, id: string, children = false): Promise<number> {
  return withTx(ctx, async (x, fx) => {
    const now = Date.now();
    const rows = await x.all<{ state: string; scheduler_id: string | null; locked_until: number | null; opts: string }>(
      `SELECT state, scheduler_id, locked_until, opts FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [ctx.queue, id],
    );
    const row = rows[0];
    if (!row) return 1;
    if (row.scheduler_id && (await isSchedulersNext(ctx, x, row.scheduler_id, id))) throw jobError(-8, id, 'remove');
    const tree = await subtree(x, ctx.queue, id, children);
    const found: Array<{ queue: string; id: string; state: string; locked_until: number | null; opts: string }> = [];
    for (const [q, jid] of tree) {
      const r = q === ctx.queue && jid === id ? [row] : await x.all<{ state: string; locked_until: number | null; opts: string }>(
        `SELECT state, locked_until, opts FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [q, jid],
      );
      if (r[0]) found.push({ queue: q, id: jid, ...r[0] });
    }
    if (found.some((j) => j.state === 'active' && j.locked_until != null && Number(j.locked_until) > now)) return 0;
    for (const j of found) {
      const qctx = onQueue(ctx, j.queue);
      await unlinkRemoved(ctx, x, fx, j.queue, j.id, JSON.parse(j.opts || '{}'), now);
      await deleteJobs(qctx, x, [j.id]);
      await removeDedup(qctx, x, j.id);
      fx.events.push(['removed', { jobId: j.id, prev: j.state }, j.queue]);
    }
    return 1;
  });
}

/** Whether `id` is the next run of a scheduler that still exists (it goes only with its scheduler). */
async function isSchedulersNext(ctx: Ctx, x: Exec, schedulerId: string, id: string): Promise<boolean> {
  const rows = await x.all<{ next_run: number | null }>('SELECT next_run FROM stryke_job_schedulers WHERE queue = ? AND scheduler_id = ?', [ctx.queue, schedulerId]);
  return rows[0]?.next_run != null && `repeat:${schedulerId}:${rows[0].next_run}` === id;
}

/** Removes a parent's children that have not run (waiting, delayed, waiting for their own children), recursively. */
export function removeUnprocessedChildren(ctx: Ctx, id: string): Promise<void> {
  return withTx(ctx, async (x, fx) => {
    const queue: Array<[string, string]> = [[ctx.queue, id]];
    for (let i = 0; i < queue.length; i++) {
      const [pq, pid] = queue[i]!;
      const kids = await x.all<{ child_queue: string; child_id: string }>("SELECT child_queue, child_id FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ? AND status = 'pending'", [pq, pid]);
      for (const k of kids) {
        const r = await x.all<{ state: string; lock_token: string | null; opts: string }>('SELECT state, lock_token, opts FROM stryke_jobs WHERE queue = ? AND id = ?', [k.child_queue, k.child_id]);
        const job = r[0];
        if (!job || ['active', 'failed', 'completed'].includes(job.state) || job.lock_token != null) continue;
        queue.push([k.child_queue, String(k.child_id)]);
      }
    }
    for (const [q, jid] of queue.slice(1)) {
      await x.run("DELETE FROM stryke_job_deps WHERE child_queue = ? AND child_id = ? AND status = 'pending'", [q, jid]);
      await deleteJobs(onQueue(ctx, q), x, [jid]);
      fx.events.push(['removed', { jobId: jid, prev: 'waiting' }, q]);
    }
  });
}

export function changeDelay(ctx: Ctx, id: string, delay: number): Promise<void> {
  return withTx(ctx, async (x, fx) => {
    const rows = await x.all<{ state: string }>(`SELECT state FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [ctx.queue, id]);
    if (!rows[0]) throw jobError(-1, id, 'changeDelay', 'delayed');
    if (rows[0].state !== 'delayed') throw jobError(-3, id, 'changeDelay', 'delayed');
    const at = Date.now() + delay;
    await x.run('UPDATE stryke_jobs SET process_at = ?, delay_ms = ? WHERE queue = ? AND id = ?', [at, delay, ctx.queue, id]);
    fx.events.push(['delayed', { jobId: id, delay: at }]);
    fx.wake = true;
  });
}

export function changePriority(ctx: Ctx, id: string, priority: number, lifo: boolean): Promise<void> {
  return withTx(ctx, async (x, fx) => {
    const rows = await x.all<{ state: string }>(`SELECT state FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [ctx.queue, id]);
    if (!rows[0]) throw jobError(-1, id, 'changePriority');
    const seq = await ctx.driver.bump(x, ctx.queue, 'seq', 1);
    await x.run('UPDATE stryke_jobs SET priority = ?, seq = ? WHERE queue = ? AND id = ?', [priority, lifo ? -seq : seq, ctx.queue, id]);
    fx.wake = rows[0].state === 'waiting';
  });
}

export function updateProgress(ctx: Ctx, id: string, progress: unknown): Promise<void> {
  return withTx(ctx, async (x, fx) => {
    const value = JSON.stringify(progress ?? null);
    const n = await x.run('UPDATE stryke_jobs SET progress = ? WHERE queue = ? AND id = ?', [value, ctx.queue, id]);
    if (n === 0) throw jobError(-1, id, 'updateProgress');
    fx.events.push(['progress', { jobId: id, data: value }]);
  });
}

export function addLog(ctx: Ctx, id: string, line: string, keepLogs?: number): Promise<number> {
  return withTx(ctx, async (x) => {
    const exists = await x.all<{ id: string }>('SELECT id FROM stryke_jobs WHERE queue = ? AND id = ?', [ctx.queue, id]);
    if (!exists[0]) throw jobError(-1, id, 'addLog');
    const top = await x.all<{ idx: number | null; n: number }>('SELECT MAX(idx) AS idx, COUNT(*) AS n FROM stryke_job_logs WHERE queue = ? AND job_id = ?', [ctx.queue, id]);
    const idx = top[0]?.idx == null ? 0 : Number(top[0].idx) + 1;
    await x.run('INSERT INTO stryke_job_logs (queue, job_id, idx, line) VALUES (?, ?, ?, ?)', [ctx.queue, id, idx, line]);
    const count = Number(top[0]?.n ?? 0) + 1;
    if (keepLogs && count > keepLogs) {
      await x.run('DELETE FROM stryke_job_logs WHERE queue = ? AND job_id = ? AND idx <= ?', [ctx.queue, id, idx - keepLogs]);
      return keepLogs;
    }
    return count;
  });
}
