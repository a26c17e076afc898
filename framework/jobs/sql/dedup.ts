import type { Exec } from './driver';
import { forUpdate, type Ctx, type Effects } from './context';

/** A job's `deduplication` option (BullMQ's `debounce` is its older name). */
export interface DedupOpts {
  id: string;
  ttl?: number;
  /** A new add while the key is live restarts its ttl. */
  extend?: boolean;
  /** A new add replaces the key's job when that job is still delayed. */
  replace?: boolean;
  /** A new add while the key's job runs is kept (the latest one) and added when that job finishes. */
  keepLastIfActive?: boolean;
}

/** What a deduplicated add stashes under keepLastIfActive, to become a job when the running one finishes. */
interface NextPayload {
  name: string;
  data: string;
  opts: Record<string, any>;
  jobId: string;
}

function setKey(ctx: Ctx, x: Exec, dedupId: string, jobId: string, expireAt: number | null): Promise<number> {
  return x.run(ctx.driver.upsert('stryke_job_dedup', ['queue', 'dedup_id', 'job_id', 'expire_at'], ['queue', 'dedup_id'], ['job_id', 'expire_at']), [
    ctx.queue, dedupId, jobId, expireAt,
  ]);
}

async function jobState(ctx: Ctx, x: Exec, id: string): Promise<string | undefined> {
  const rows = await x.all<{ state: string }>(`SELECT state FROM stryke_jobs WHERE queue = ? AND id = ?${forUpdate(ctx)}`, [ctx.queue, id]);
  return rows[0]?.state;
}

/** Under keepLastIfActive, while `winner` runs: keeps this add (the latest wins) for when it finishes. */
async function storeNext(ctx: Ctx, x: Exec, d: DedupOpts, winner: string, next: NextPayload): Promise<boolean> {
  if (!d.keepLastIfActive) return false;
  if ((await jobState(ctx, x, winner)) !== 'active') return false;
  await x.run(ctx.driver.upsert('stryke_job_dedup_next', ['queue', 'dedup_id', 'payload'], ['queue', 'dedup_id'], ['payload']), [ctx.queue, d.id, JSON.stringify(next)]);
  // The key outlives its ttl while the running job has a successor waiting.
  await x.run('UPDATE stryke_job_dedup SET expire_at = NULL WHERE queue = ? AND dedup_id = ?', [ctx.queue, d.id]);
  return true;
}

/**
 * BullMQ's deduplication decision for a job about to be added as `jobId`: resolves to the id of the job
 * that holds the key when this add is deduplicated (not inserted), or null when the caller inserts it
 * (the key then points at it). Simple mode keeps the first job until it finishes (or the ttl ends);
 * `extend` restarts the ttl on every add; `replace` swaps a still-delayed job for the new one;
 * `keepLastIfActive` keeps the latest add made while the job runs and adds it when that job finishes.
 */
export async function deduplicate(ctx: Ctx, x: Exec, fx: Effects, d: DedupOpts, jobId: string, now: number, next: Omit<NextPayload, 'jobId'>): Promise<string | null> {
  // MySQL/MariaDB: concurrent adds of one id serialize on the key's row, created (expired) when missing;
  // a locking read of a missing row locks nothing under READ COMMITTED. (SQLite has one writer at a time.)
  if (ctx.driver.dialect === 'mysql') await x.run(`${ctx.driver.insertIgnore} INTO stryke_job_dedup (queue, dedup_id, job_id, expire_at) VALUES (?, ?, '', 0)`, [ctx.queue, d.id]);
  const rows = await x.all<{ job_id: string; expire_at: number | null }>(`SELECT job_id, expire_at FROM stryke_job_dedup WHERE queue = ? AND dedup_id = ?${forUpdate(ctx)}`, [ctx.queue, d.id]);
  let cur: string | null = rows[0] ? String(rows[0].job_id) : null;
  const exp = rows[0]?.expire_at == null ? null : Number(rows[0].expire_at);
  if (cur !== null && exp !== null && exp <= now) cur = null;
  else if (cur !== null && exp === null && (await jobState(ctx, x, cur)) === undefined) {
    await clearKey(ctx, x, d.id);
    cur = null;
  }
  const ttl = d.ttl && d.ttl > 0 ? Number(d.ttl) : 0;
  const keep = !!d.keepLastIfActive;
  const payload = { ...next, jobId };
  const deduplicated = (winner: string) => fx.events.push(['deduplicated', { jobId: winner, deduplicationId: d.id, deduplicatedJobId: jobId }]);

  if (d.replace) {
    if (cur === null) {
      await setKey(ctx, x, d.id, jobId, !keep && ttl ? now + ttl : null);
      return null;
    }
    if ((await jobState(ctx, x, cur)) === 'delayed') {
      await x.run('DELETE FROM stryke_jobs WHERE queue = ? AND id = ?', [ctx.queue, cur]);
      await x.run('DELETE FROM stryke_job_logs WHERE queue = ? AND job_id = ?', [ctx.queue, cur]);
      fx.events.push(['removed', { jobId: cur, prev: 'delayed' }]);
      fx.events.push(['deduplicated', { jobId, deduplicationId: d.id, deduplicatedJobId: cur }]);
      await x.run('DELETE FROM stryke_job_dedup_next WHERE queue = ? AND dedup_id = ?', [ctx.queue, d.id]);
      if (!keep && !d.extend && ttl) await x.run('UPDATE stryke_job_dedup SET job_id = ? WHERE queue = ? AND dedup_id = ?', [jobId, ctx.queue, d.id]);
      else await setKey(ctx, x, d.id, jobId, !keep && ttl ? now + ttl : null);
      return null;
    }
    await storeNext(ctx, x, d, cur, payload);
    return cur;
  }
  if (ttl && d.extend) {
    if (cur === null) {
      await setKey(ctx, x, d.id, jobId, keep ? null : now + ttl);
      return null;
    }
    if (!(await storeNext(ctx, x, d, cur, payload))) {
      await x.run('UPDATE stryke_job_dedup SET expire_at = ? WHERE queue = ? AND dedup_id = ?', [keep ? null : now + ttl, ctx.queue, d.id]);
    }
    deduplicated(cur);
    return cur;
  }
  if (cur !== null) {
    await storeNext(ctx, x, d, cur, payload);
    deduplicated(cur);
    return cur;
  }
  await setKey(ctx, x, d.id, jobId, !keep && ttl ? now + ttl : null);
  return null;
}

async function clearKey(ctx: Ctx, x: Exec, dedupId: string): Promise<void> {
  await x.run('DELETE FROM stryke_job_dedup WHERE queue = ? AND dedup_id = ?', [ctx.queue, dedupId]);
  await x.run('DELETE FROM stryke_job_dedup_next WHERE queue = ? AND dedup_id = ?', [ctx.queue, dedupId]);
}

/**
 * A job holding a deduplication key finished for good: a key without ttl is released (a ttl key lives
 * out its ttl), and the add kept under keepLastIfActive while it ran becomes a job now.
 */
export async function finishDedup(ctx: Ctx, x: Exec, fx: Effects, jobId: string, dedupId: string | null, now: number): Promise<void> {
  if (!dedupId) return;
  await x.run('DELETE FROM stryke_job_dedup WHERE queue = ? AND dedup_id = ? AND ((job_id = ? AND expire_at IS NULL) OR expire_at <= ?)', [ctx.queue, dedupId, jobId, now]);
  const rows = await x.all<{ payload: string }>(`SELECT payload FROM stryke_job_dedup_next WHERE queue = ? AND dedup_id = ?${forUpdate(ctx)}`, [ctx.queue, dedupId]);
  if (!rows[0]) return;
  const next = JSON.parse(rows[0].payload) as NextPayload;
  await x.run('DELETE FROM stryke_job_dedup_next WHERE queue = ? AND dedup_id = ?', [ctx.queue, dedupId]);
  const opts = next.opts ?? {};
  const d = (opts.deduplication ?? opts.debounce ?? {}) as DedupOpts;
  const delay = Number(opts.delay ?? 0);
  const seq = await ctx.driver.bump(x, ctx.queue, 'seq', 1);
  const processAt = delay > 0 ? now + delay : null;
  const inserted = await x.run(
    `${ctx.driver.insertIgnore} INTO stryke_jobs (queue, id, seq, name, state, data, opts, priority, delay_ms, added_at, process_at, dedup_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [ctx.queue, next.jobId, opts.lifo ? -seq : seq, next.name, delay > 0 ? 'delayed' : 'waiting', next.data ?? '{}', JSON.stringify(opts), Number(opts.priority ?? 0), delay, now, processAt, dedupId],
  );
  if (inserted === 0) return;
  await setKey(ctx, x, dedupId, next.jobId, d.keepLastIfActive || !d.ttl || d.ttl <= 0 ? null : now + Number(d.ttl));
  fx.events.push(['added', { jobId: next.jobId, name: next.name }]);
  fx.events.push(delay > 0 ? ['delayed', { jobId: next.jobId, delay: processAt }] : ['waiting', { jobId: next.jobId }]);
  fx.wake = true;
}

/** A removed job gives up the key it holds (and what was kept for after it). */
export async function removeDedup(ctx: Ctx, x: Exec, jobId: string): Promise<void> {
  const held = await x.all<{ dedup_id: string }>('SELECT dedup_id FROM stryke_job_dedup WHERE queue = ? AND job_id = ?', [ctx.queue, jobId]);
  for (const { dedup_id } of held) await clearKey(ctx, x, dedup_id);
}
