/** Adding jobs inside a transaction: one, a flow's node, or many in multi-row INSERTs. */
import type { JobJson } from 'bullmq';
import { defer, valuesList, type Exec } from './driver';
import { withTx, type Ctx, type Effects } from './context';
import { jobError } from './rows';
import { deduplicate, type DedupOpts } from './dedup';
import { jobExists, jobKey, linkChild, onQueue, parentRef, pendingChildren, releaseParent, type ParentRef } from './flows';

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

/** One node of a FlowProducer's tree, as BullMQ hands it to the backend. */
export interface FlowEntry {
  jobData: JobJson;
  jobId: string;
  parentKeyOpts: { addToWaitingChildren?: boolean };
  queueName: string;
}

/**
 * A FlowProducer's tree (parents first), over any queues of this database, in one transaction: a parent waits
 * in `waiting-children` until its children finish. Each entry gets its id, or all get the error that failed it.
 */
export async function insertFlow(ctx: Ctx, entries: FlowEntry[]): Promise<[Error | null, string | number][]> {
  try {
    return await withTx(ctx, async (x, fx) => {
      const out: [Error | null, string | number][] = [];
      const touched = new Set<string>();
      for (const e of entries) {
        const qctx = onQueue(ctx, e.queueName);
        const qfx: Effects = { events: [], wake: false };
        const id = await insertNode(qctx, x, qfx, e.jobData, e.jobId, !!e.parentKeyOpts?.addToWaitingChildren);
        for (const ev of qfx.events) fx.events.push([ev[0], ev[1], ev[2] ?? e.queueName]);
        if (qfx.wake) touched.add(e.queueName);
        for (const q of qfx.wakeQueues ?? []) touched.add(q);
        out.push([null, id]);
      }
      // A parent whose children were all there already (completed duplicates) does not wait.
      const now = Date.now();
      for (const [i, e] of entries.entries()) {
        if (!e.parentKeyOpts?.addToWaitingChildren) continue;
        const id = out[i]![1];
        if (typeof id !== 'string') continue;
        const parent = { queue: e.queueName, id };
        if ((await pendingChildren(x, parent)) === 0) await releaseParent(ctx, x, fx, parent, now);
      }
      for (const q of touched) (fx.wakeQueues ??= new Set()).add(q);
      return out;
    });
  } catch (err) {
    return entries.map(() => [err as Error, 0]);
  }
}
