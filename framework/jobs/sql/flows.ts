import { JobsErrors } from '../errors';
import { marks, type Exec } from './driver';
import { forUpdate, type Ctx, type Effects } from './context';
import { jobError, rowToJobJson, type JobRow } from './rows';

/**
 * Flows: parent/child jobs. A child's parent is its `opts.parent` (`{ id, queue }`, as BullMQ's Job keeps it);
 * each link is a `stryke_job_deps` row keyed by the parent, whose `status` says where the child is:
 * `pending` (not finished), `processed` (completed; `value` is its return value), `failed` (failed with
 * failParentOnFailure), `ignored` (failed with ignoreDependencyOnFailure or continueParentOnFailure; `value`
 * is its failure reason). A parent added with children waits in `waiting-children` until none is pending.
 */
export interface ParentRef {
  queue: string;
  id: string;
}

export type DepStatus = 'pending' | 'processed' | 'failed' | 'ignored';

export function parentRef(opts: Record<string, any> | undefined): ParentRef | undefined {
  const p = opts?.parent as { id?: unknown; queue?: unknown } | undefined;
  return p && p.id != null && p.queue ? { queue: String(p.queue), id: String(p.id) } : undefined;
}

/** A job's key as flows name it (`<queue>:<id>`, BullMQ's `queue.toKey(id)` on these backends). */
export const jobKey = (queue: string, id: string) => `${queue}:${id}`;

/** The same backend context on another queue (flows span queues). */
export function onQueue(ctx: Ctx, queue: string): Ctx {
  return queue === ctx.queue ? ctx : { ...ctx, queue };
}

function wake(ctx: Ctx, fx: Effects, queue: string): void {
  if (queue === ctx.queue) fx.wake = true;
  else (fx.wakeQueues ??= new Set()).add(queue);
}

export async function jobExists(x: Exec, queue: string, id: string): Promise<boolean> {
  return (await x.all('SELECT id FROM stryke_jobs WHERE queue = ? AND id = ?', [queue, id])).length > 0;
}

export async function pendingChildren(x: Exec, parent: ParentRef): Promise<number> {
  const rows = await x.all<{ n: number }>("SELECT COUNT(*) AS n FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ? AND status = 'pending'", [parent.queue, parent.id]);
  return Number(rows[0]?.n ?? 0);
}

/** A parent whose last pending child resolved leaves `waiting-children`: delayed by its own delay, else waiting. */
export async function releaseParent(ctx: Ctx, x: Exec, fx: Effects, parent: ParentRef, now: number): Promise<void> {
  const rows = await x.all<{ state: string; delay_ms: number; opts: string }>(
    `SELECT state, delay_ms, opts FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [parent.queue, parent.id],
  );
  const row = rows[0];
  if (!row || row.state !== 'waiting-children') return;
  const seq = await ctx.driver.bump(x, parent.queue, 'seq', 1);
  const delay = Number(row.delay_ms ?? 0);
  if (delay > 0) {
    const at = now + delay;
    await x.run("UPDATE stryke_jobs SET state = 'delayed', process_at = ?, seq = ? WHERE queue = ? AND id = ?", [at, seq, parent.queue, parent.id]);
    fx.events.push(['delayed', { jobId: parent.id, delay: at }, parent.queue]);
  } else {
    const lifo = !!JSON.parse(row.opts || '{}').lifo;
    await x.run("UPDATE stryke_jobs SET state = 'waiting', seq = ? WHERE queue = ? AND id = ?", [lifo ? -seq : seq, parent.queue, parent.id]);
    fx.events.push(['waiting', { jobId: parent.id, prev: 'waiting-children' }, parent.queue]);
  }
  wake(ctx, fx, parent.queue);
}

async function releaseIfDone(ctx: Ctx, x: Exec, fx: Effects, parent: ParentRef, now: number): Promise<void> {
  if ((await pendingChildren(x, parent)) === 0) await releaseParent(ctx, x, fx, parent, now);
}

/**
 * Links a job just added (or found already there, `inserted` false) to its parent. Returns BullMQ's -7 when
 * an existing job already belongs to another parent that still exists, else 0.
 */
export async function linkChild(ctx: Ctx, x: Exec, fx: Effects, childId: string, inserted: boolean, parent: ParentRef, now: number): Promise<number> {
  if (inserted) {
    await x.run(`${ctx.driver.insertIgnore} INTO stryke_job_deps (parent_queue, parent_id, child_queue, child_id, status) VALUES (?, ?, ?, ?, 'pending')`, [
      parent.queue, parent.id, ctx.queue, childId,
    ]);
    return 0;
  }
  const rows = await x.all<{ state: string; return_value: string | null; opts: string }>(
    `SELECT state, return_value, opts FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [ctx.queue, childId],
  );
  const row = rows[0];
  if (!row) return 0;
  const opts = JSON.parse(row.opts || '{}') as Record<string, any>;
  const current = parentRef(opts);
  if (current && (current.queue !== parent.queue || current.id !== parent.id) && (await jobExists(x, current.queue, current.id))) return -7;
  if (row.state === 'completed') {
    await x.run(ctx.driver.upsert('stryke_job_deps', ['parent_queue', 'parent_id', 'child_queue', 'child_id', 'status', 'value'], ['parent_queue', 'parent_id', 'child_queue', 'child_id'], ['status', 'value']), [
      parent.queue, parent.id, ctx.queue, childId, 'processed', row.return_value ?? 'null',
    ]);
  } else {
    await x.run(`${ctx.driver.insertIgnore} INTO stryke_job_deps (parent_queue, parent_id, child_queue, child_id, status) VALUES (?, ?, ?, ?, 'pending')`, [
      parent.queue, parent.id, ctx.queue, childId,
    ]);
  }
  await x.run('UPDATE stryke_jobs SET opts = ? WHERE queue = ? AND id = ?', [JSON.stringify({ ...opts, parent: { id: parent.id, queue: parent.queue } }), ctx.queue, childId]);
  if (row.state === 'completed') await releaseIfDone(ctx, x, fx, parent, now);
  return 0;
}

/** A child completed: its link carries its return value; the parent moves on when it was the last pending one. */
export async function childCompleted(ctx: Ctx, x: Exec, fx: Effects, childId: string, parent: ParentRef, value: string, now: number): Promise<void> {
  const n = await x.run("UPDATE stryke_job_deps SET status = 'processed', value = ? WHERE parent_queue = ? AND parent_id = ? AND child_queue = ? AND child_id = ?", [
    value, parent.queue, parent.id, ctx.queue, childId,
  ]);
  if (n > 0) await releaseIfDone(ctx, x, fx, parent, now);
}

/**
 * A child failed for good. failParentOnFailure: the parent is released with a deferred failure (its worker
 * fails it at once with "child <key> failed"); continueParentOnFailure: the parent is released to run now;
 * ignoreDependencyOnFailure: the failure is recorded and the parent moves on once no child is pending;
 * removeDependencyOnFailure: the link goes. Without any, the parent keeps waiting for it (retry the child).
 */
export async function childFailed(ctx: Ctx, x: Exec, fx: Effects, childId: string, opts: Record<string, any>, reason: string, now: number): Promise<void> {
  const parent = parentRef(opts);
  if (!parent) return;
  const link = [parent.queue, parent.id, ctx.queue, childId];
  const mark = (status: DepStatus) =>
    x.run("UPDATE stryke_job_deps SET status = ?, value = ? WHERE parent_queue = ? AND parent_id = ? AND child_queue = ? AND child_id = ? AND status = 'pending'", [
      status, JSON.stringify(reason), ...link,
    ]);
  if (opts.failParentOnFailure) {
    if ((await mark('failed')) === 0) return;
    await x.run('UPDATE stryke_jobs SET deferred_failure = ? WHERE queue = ? AND id = ?', [`child ${jobKey(ctx.queue, childId)} failed`, parent.queue, parent.id]);
    await releaseParent(ctx, x, fx, parent, now);
  } else if (opts.continueParentOnFailure) {
    if ((await mark('ignored')) > 0) await releaseParent(ctx, x, fx, parent, now);
  } else if (opts.ignoreDependencyOnFailure) {
    if ((await mark('ignored')) > 0) await releaseIfDone(ctx, x, fx, parent, now);
  } else if (opts.removeDependencyOnFailure) {
    const n = await x.run("DELETE FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ? AND child_queue = ? AND child_id = ? AND status = 'pending'", link);
    if (n > 0) await releaseIfDone(ctx, x, fx, parent, now);
  }
}

/** Which of these jobs may not complete yet: BullMQ's -4 (children pending) or -9 (a child failed the parent). */
export async function unfinishedParents(ctx: Ctx, x: Exec, ids: string[]): Promise<Map<string, -4 | -9>> {
  const out = new Map<string, -4 | -9>();
  if (ids.length === 0) return out;
  const rows = await x.all<{ parent_id: string; status: string }>(
    `SELECT parent_id, status FROM stryke_job_deps WHERE parent_queue = ? AND parent_id IN (${marks(ids.length)}) AND status IN ('pending', 'failed')`,
    [ctx.queue, ...ids],
  );
  for (const r of rows) {
    const id = String(r.parent_id);
    if (r.status === 'failed') out.set(id, -9);
    else if (!out.has(id)) out.set(id, -4);
  }
  return out;
}

/** `job.moveToWaitingChildren`: true when the job now waits for pending children, false when none is pending. */
export async function toWaitingChildren(ctx: Ctx, x: Exec, id: string, token: string): Promise<boolean> {
  const rows = await x.all<{ state: string; lock_token: string | null }>(`SELECT state, lock_token FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [ctx.queue, id]);
  const row = rows[0];
  if (!row) throw jobError(-1, id, 'moveToWaitingChildren');
  const failed = await x.all("SELECT child_id FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ? AND status = 'failed' LIMIT 1", [ctx.queue, id]);
  if (failed.length > 0) throw jobError(-9, id, 'moveToWaitingChildren');
  if (token !== '0') {
    if (row.lock_token == null) throw jobError(-2, id, 'moveToWaitingChildren');
    if (row.lock_token !== token) throw jobError(-6, id, 'moveToWaitingChildren', row.state);
  }
  if (row.state !== 'active') throw jobError(-3, id, 'moveToWaitingChildren');
  if ((await pendingChildren(x, { queue: ctx.queue, id })) === 0) return false;
  await x.run("UPDATE stryke_jobs SET state = 'waiting-children', lock_token = NULL, locked_until = NULL WHERE queue = ? AND id = ?", [ctx.queue, id]);
  return true;
}

/** `job.removeChildDependency`: unlinks a child from its parent (true when it was linked and unlinked). */
export async function unlinkChild(ctx: Ctx, x: Exec, fx: Effects, id: string, parentKey: string, now: number): Promise<boolean> {
  const rows = await x.all<{ opts: string }>(`SELECT opts FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [ctx.queue, id]);
  if (!rows[0]) throw jobError(-1, id, 'removeChildDependency');
  const opts = JSON.parse(rows[0].opts || '{}') as Record<string, any>;
  const parent = parentRef(opts);
  if (!parent) return false;
  if (!(await jobExists(x, parent.queue, parent.id))) throw jobError(-5, id, 'removeChildDependency', 'active', parentKey);
  const n = await x.run('DELETE FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ? AND child_queue = ? AND child_id = ?', [parent.queue, parent.id, ctx.queue, id]);
  if (n === 0) return false;
  const { parent: _gone, ...rest } = opts;
  await x.run('UPDATE stryke_jobs SET opts = ? WHERE queue = ? AND id = ?', [JSON.stringify(rest), ctx.queue, id]);
  await releaseIfDone(ctx, x, fx, parent, now);
  return true;
}

interface DepRow {
  child_queue: string;
  child_id: string;
  status: DepStatus;
  value: string | null;
}

const parse = (v: string | null) => {
  if (v == null) return null;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

export async function dependencies(ctx: Ctx, parentId: string, status?: DepStatus, offset = 0, limit?: number): Promise<DepRow[]> {
  const where = status ? ' AND status = ?' : '';
  const page = limit != null ? ` LIMIT ${Math.max(0, Math.floor(limit))} OFFSET ${Math.max(0, Math.floor(offset))}` : '';
  return ctx.driver.all<DepRow>(
    `SELECT child_queue, child_id, status, value FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ?${where} ORDER BY child_queue, child_id${page}`,
    status ? [ctx.queue, parentId, status] : [ctx.queue, parentId],
  );
}

type Page = { cursor?: number; count?: number };

/** `job.getDependencies(opts)`: every kind in full without options, else a page (cursor = offset) of each kind asked for. */
export async function getDependencies(ctx: Ctx, parentId: string, opts: { processed?: Page; unprocessed?: Page; ignored?: Page; failed?: Page }): Promise<Record<string, any>> {
  const key = (r: DepRow) => jobKey(r.child_queue, r.child_id);
  if (!opts.processed && !opts.unprocessed && !opts.ignored && !opts.failed) {
    const out = { processed: {} as Record<string, any>, unprocessed: [] as string[], ignored: {} as Record<string, any>, failed: [] as string[] };
    for (const r of await dependencies(ctx, parentId)) {
      if (r.status === 'processed') out.processed[key(r)] = parse(r.value);
      else if (r.status === 'pending') out.unprocessed.push(key(r));
      else if (r.status === 'ignored') out.ignored[key(r)] = parse(r.value);
      else out.failed.push(key(r));
    }
    return out;
  }
  const result: Record<string, any> = {};
  const page = async (status: DepStatus, p: Page) => {
    const cursor = p.cursor ?? 0;
    const count = p.count ?? 20;
    const rows = await dependencies(ctx, parentId, status, cursor, count);
    return { rows, next: rows.length < count ? 0 : cursor + count };
  };
  if (opts.processed) {
    const { rows, next } = await page('processed', opts.processed);
    result.processed = Object.fromEntries(rows.map((r) => [key(r), parse(r.value)]));
    result.nextProcessedCursor = next;
  }
  if (opts.unprocessed) {
    const { rows, next } = await page('pending', opts.unprocessed);
    result.unprocessed = rows.map(key);
    result.nextUnprocessedCursor = next;
  }
  if (opts.ignored) {
    const { rows, next } = await page('ignored', opts.ignored);
    result.ignored = Object.fromEntries(rows.map((r) => [key(r), parse(r.value)]));
    result.nextIgnoredCursor = next;
  }
  if (opts.failed) {
    const { rows, next } = await page('failed', opts.failed);
    result.failed = rows.map(key);
    result.nextFailedCursor = next;
  }
  return result;
}

export async function dependencyCounts(ctx: Ctx, parentId: string, types: string[]): Promise<number[]> {
  const rows = await ctx.driver.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ? GROUP BY status', [ctx.queue, parentId]);
  const by: Record<string, number> = {};
  for (const r of rows) by[r.status === 'pending' ? 'unprocessed' : r.status] = Number(r.n);
  return types.map((t) => by[t] ?? 0);
}

/** Child key to raw value (JSON text) of the processed children, or to the failure reason of the ignored ones. */
export async function childValues(ctx: Ctx, parentId: string, status: 'processed' | 'ignored'): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of await dependencies(ctx, parentId, status)) {
    out[jobKey(r.child_queue, r.child_id)] = status === 'ignored' ? String(parse(r.value) ?? '') : r.value ?? 'null';
  }
  return out;
}

/** BullMQ's `paginate` over a parent's `<queue>:<id>:dependencies` (pending) or `:processed` children. */
export async function paginate(ctx: Ctx, key: string, opts: { start: number; end: number; fetchJobs?: boolean }) {
  const prefix = `${ctx.queue}:`;
  const inner = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  const processed = inner.endsWith(':processed');
  if (!processed && !inner.endsWith(':dependencies')) throw JobsErrors.UNSUPPORTED(`paging the children of ${key} (only :dependencies and :processed)`);
  const parentId = inner.slice(0, inner.lastIndexOf(':'));
  const all = await dependencies(ctx, parentId, processed ? 'processed' : 'pending');
  const start = Math.max(opts.start ?? 0, 0);
  const rows = opts.end != null && opts.end >= 0 ? all.slice(start, opts.end + 1) : all.slice(start);
  const items = rows.map((r) => (processed ? { id: jobKey(r.child_queue, r.child_id), v: parse(r.value) } : { id: jobKey(r.child_queue, r.child_id) }));
  let jobs: ReturnType<typeof rowToJobJson>[] | undefined;
  if (opts.fetchJobs) {
    jobs = [];
    for (const r of rows) {
      const found = await ctx.driver.all<JobRow>('SELECT * FROM stryke_jobs WHERE queue = ? AND id = ?', [r.child_queue, r.child_id]);
      if (found[0]) jobs.push(rowToJobJson(found[0]));
    }
  }
  return { cursor: '0', items, total: all.length, jobs };
}

/**
 * The jobs `remove(id, removeChildren)` takes with it: the job and, with children, its descendants (any
 * queue), as [queue, id] pairs, the job first.
 */
export async function subtree(x: Exec, queue: string, id: string, withChildren: boolean): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [[queue, id]];
  if (!withChildren) return out;
  for (let i = 0; i < out.length; i++) {
    const [q, pid] = out[i]!;
    const kids = await x.all<{ child_queue: string; child_id: string }>('SELECT child_queue, child_id FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ?', [q, pid]);
    for (const k of kids) out.push([k.child_queue, String(k.child_id)]);
  }
  return out;
}

/** The links of removed jobs: as a child its pending link (the parent may move on), as a parent all of them. */
export async function unlinkRemoved(ctx: Ctx, x: Exec, fx: Effects, queue: string, id: string, opts: Record<string, any>, now: number): Promise<void> {
  await x.run('DELETE FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ?', [queue, id]);
  const parent = parentRef(opts);
  if (!parent) return;
  const n = await x.run("DELETE FROM stryke_job_deps WHERE parent_queue = ? AND parent_id = ? AND child_queue = ? AND child_id = ? AND status = 'pending'", [
    parent.queue, parent.id, queue, id,
  ]);
  if (n > 0) await releaseIfDone(ctx, x, fx, parent, now);
}
