import type { Exec } from './driver';
import { withTx, type Ctx, type Effects } from './context';
import { jobError } from './rows';

interface SchedulerRow {
  scheduler_id: string;
  name: string | null;
  next_run: number | null;
  pattern: string | null;
  every_ms: number | null;
  tz: string | null;
  start_date: number | null;
  end_date: number | null;
  limit_count: number | null;
  iteration_count: number;
  offset_ms: number | null;
  template_data: string | null;
  template_opts: string | null;
}

const n = (v: unknown) => (v == null ? null : Number(v));

/**
 * The next run of an `every` scheduler: the first one at now (or startDate, or the offset within the
 * interval), then the previous one plus the interval, skipping slots already in the past.
 */
function everyNext(prev: number | null, every: number, now: number, offset: number | null, start: number | null): [number, number] {
  let next: number;
  if (prev == null) {
    if (start != null) next = Math.max(start, now);
    else if (offset) {
      next = Math.floor(now / every) * every + offset;
      if (next <= now) next += every;
    } else next = now;
  } else {
    next = prev + every;
    if (next < now) next = Math.floor(now / every) * every + every + (offset ?? 0);
  }
  return [next, offset ? offset : next - Math.floor(next / every) * every];
}

/** Serializes work on one scheduler id across processes (a row lock on MySQL; SQLite's write lock). */
async function lockScheduler(ctx: Ctx, x: Exec, id: string): Promise<void> {
  await x.run(ctx.driver.upsert('stryke_job_meta', ['queue', 'field', 'value'], ['queue', 'field'], ['value']), [ctx.queue, `scheduler-lock:${id}`, '']);
}

async function load(ctx: Ctx, x: Exec, id: string): Promise<SchedulerRow | undefined> {
  const rows = await x.all<SchedulerRow>('SELECT * FROM stryke_job_schedulers WHERE queue = ? AND scheduler_id = ?', [ctx.queue, id]);
  return rows[0];
}

async function jobExists(ctx: Ctx, x: Exec, id: string): Promise<boolean> {
  return (await x.all('SELECT id FROM stryke_jobs WHERE queue = ? AND id = ?', [ctx.queue, id])).length > 0;
}

async function insertIteration(
  ctx: Ctx, x: Exec, fx: Effects, sid: string, jobId: string, name: string, data: string, jobOpts: Record<string, any>, next: number, now: number,
): Promise<number> {
  const delay = Math.max(next - now, 0);
  const seq = await ctx.driver.bump(x, ctx.queue, 'seq', 1);
  const opts = { ...jobOpts, delay, jobId };
  await x.run('DELETE FROM stryke_jobs WHERE queue = ? AND id = ?', [ctx.queue, jobId]);
  await x.run(
    `INSERT INTO stryke_jobs (queue, id, seq, name, state, data, opts, priority, delay_ms, added_at, process_at, scheduler_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [ctx.queue, jobId, seq, name, delay > 0 ? 'delayed' : 'waiting', data, JSON.stringify(opts), Number(jobOpts.priority ?? 0), delay,
      Number(jobOpts.timestamp ?? now), delay > 0 ? next : null, sid],
  );
  fx.events.push(['added', { jobId, name }]);
  fx.events.push(delay > 0 ? ['delayed', { jobId, delay: next }] : ['waiting', { jobId }]);
  fx.wake = true;
  return delay;
}

export function addScheduler(
  ctx: Ctx, sid: string, nextMillis: number, templateData: string, templateOpts: object, opts: Record<string, any>, delayedOpts: Record<string, any>,
): Promise<[string, number]> {
  return withTx(ctx, async (x, fx) => {
    await lockScheduler(ctx, x, sid);
    const now = Date.now();
    const existing = await load(ctx, x, sid);
    const every: number | null = opts.every != null ? Number(opts.every) : null;
    const offsetGiven = opts.offset != null || delayedOpts.repeat?.offset != null;
    let offset: number | null = n(opts.offset ?? delayedOpts.repeat?.offset ?? 0);
    const prev = n(existing?.next_run);
    let next = nextMillis;
    let updatedEvery = false;
    if (every != null) {
      updatedEvery = prev != null && n(existing?.every_ms) !== every;
      [next, offset] = everyNext(updatedEvery ? null : prev, every, now, offset, n(opts.startDate));
      if (!offsetGiven && existing?.offset_ms != null) offset = Number(existing.offset_ms);
    }
    let removed = false;
    if (prev != null) {
      removed = (await x.run("DELETE FROM stryke_jobs WHERE queue = ? AND id = ? AND state IN ('delayed', 'waiting')", [ctx.queue, `repeat:${sid}:${prev}`])) > 0;
    }
    if (removed && every != null && !updatedEvery) next = prev!;
    let jobId = `repeat:${sid}:${next}`;
    if (await jobExists(ctx, x, jobId)) {
      if (every != null) {
        next += every;
        jobId = `repeat:${sid}:${next}`;
        if (await jobExists(ctx, x, jobId)) throw jobError(-11, jobId, 'addJobScheduler');
      } else if (!removed) throw jobError(-10, jobId, 'addJobScheduler');
    }
    const cols = ['queue', 'scheduler_id', 'name', 'next_run', 'pattern', 'every_ms', 'tz', 'start_date', 'end_date', 'limit_count', 'iteration_count', 'offset_ms', 'template_data', 'template_opts'];
    await x.run(ctx.driver.upsert('stryke_job_schedulers', cols, ['queue', 'scheduler_id'], cols.filter((c) => !['queue', 'scheduler_id', 'iteration_count'].includes(c))), [
      ctx.queue, sid, opts.name ?? null, next, opts.pattern ?? null, every, opts.tz ?? null, n(opts.startDate), n(opts.endDate), n(opts.limit),
      existing?.iteration_count ?? 1, offset, templateData || '{}', JSON.stringify(templateOpts ?? {}),
    ]);
    const delay = await insertIteration(ctx, x, fx, sid, jobId, opts.name ?? sid, templateData || '{}', delayedOpts, next, now);
    return [jobId, delay];
  });
}

/** Creates the iteration after `producerId` (the job a worker just took), once: a later call finds it done. */
export function nextIteration(ctx: Ctx, sid: string, nextMillis: number, templateData: string, delayedOpts: Record<string, any>, producerId?: string): Promise<string | null> {
  return withTx(ctx, async (x, fx) => {
    await lockScheduler(ctx, x, sid);
    const now = Date.now();
    const row = await load(ctx, x, sid);
    if (!row) return null;
    const prev = n(row.next_run);
    const every = n(row.every_ms) ?? n(delayedOpts.repeat?.every);
    let next = nextMillis;
    let offset = n(row.offset_ms);
    if (every != null) [next, offset] = everyNext(prev, every, now, offset ?? n(delayedOpts.repeat?.offset) ?? 0, n(row.start_date));
    if (producerId !== `repeat:${sid}:${prev}`) return null;
    const jobId = `repeat:${sid}:${next}`;
    if (await jobExists(ctx, x, jobId)) {
      fx.events.push(['duplicated', { jobId }]);
      return null;
    }
    const data = row.template_data && row.template_data !== '{}' ? row.template_data : templateData || '{}';
    await x.run('UPDATE stryke_job_schedulers SET next_run = ?, iteration_count = iteration_count + 1, offset_ms = COALESCE(offset_ms, ?) WHERE queue = ? AND scheduler_id = ?', [
      next, offset, ctx.queue, sid,
    ]);
    await insertIteration(ctx, x, fx, sid, jobId, row.name ?? sid, data, delayedOpts, next, now);
    return jobId;
  });
}

export function removeScheduler(ctx: Ctx, sid: string): Promise<number> {
  return withTx(ctx, async (x, fx) => {
    const row = await load(ctx, x, sid);
    if (row?.next_run != null) {
      const jobId = `repeat:${sid}:${row.next_run}`;
      if ((await x.run("DELETE FROM stryke_jobs WHERE queue = ? AND id = ? AND state = 'delayed'", [ctx.queue, jobId])) > 0) {
        fx.events.push(['removed', { jobId, prev: 'delayed' }]);
      }
    }
    const removed = await x.run('DELETE FROM stryke_job_schedulers WHERE queue = ? AND scheduler_id = ?', [ctx.queue, sid]);
    await x.run('DELETE FROM stryke_job_meta WHERE queue = ? AND field = ?', [ctx.queue, `scheduler-lock:${sid}`]);
    return removed > 0 ? 0 : 1;
  });
}

/** The scheduler as BullMQ's JobScheduler reads it: a string hash plus the next run. */
function toHash(row: SchedulerRow): Record<string, string> {
  const hash: Record<string, string> = {};
  const put = (k: string, v: unknown) => {
    if (v != null) hash[k] = String(v);
  };
  put('name', row.name);
  put('ic', row.iteration_count);
  put('limit', row.limit_count);
  put('startDate', row.start_date);
  put('endDate', row.end_date);
  put('tz', row.tz);
  put('pattern', row.pattern);
  put('every', row.every_ms);
  put('offset', row.offset_ms);
  if (row.template_data && row.template_data !== '{}') hash.data = row.template_data;
  if (row.template_opts && row.template_opts !== '{}') hash.opts = row.template_opts;
  return hash;
}

export async function getScheduler(ctx: Ctx, id: string): Promise<[Record<string, string> | null, string | null]> {
  const row = await load(ctx, ctx.driver, id);
  return row ? [toHash(row), row.next_run == null ? null : String(row.next_run)] : [null, null];
}

export async function schedulerRange(ctx: Ctx, start: number, end: number, asc: boolean): Promise<string[]> {
  const limit = end < 0 ? '' : ` LIMIT ${Math.max(end - start + 1, 0)} OFFSET ${Math.max(start, 0)}`;
  const rows = await ctx.driver.all<SchedulerRow>(
    `SELECT scheduler_id, next_run FROM stryke_job_schedulers WHERE queue = ? ORDER BY next_run ${asc ? 'ASC' : 'DESC'}, scheduler_id${limit || (start > 0 ? ` LIMIT 1000000000 OFFSET ${start}` : '')}`,
    [ctx.queue],
  );
  return rows.flatMap((r) => [r.scheduler_id, String(r.next_run)]);
}

export async function schedulerCount(ctx: Ctx): Promise<number> {
  const rows = await ctx.driver.all<{ c: number }>('SELECT COUNT(*) AS c FROM stryke_job_schedulers WHERE queue = ?', [ctx.queue]);
  return Number(rows[0]!.c);
}
