import { JobsErrors } from '../errors';
import type { JobJson, JobState, JobType } from 'bullmq';
import { marks } from './driver';
import { DRAIN_LOCK, setMeta, type Ctx } from './context';
import { rateLimitTtl } from './claim';
import { typeFilter } from './admin';
import { rowToJobJson, type JobRow } from './rows';

const EVENT_BATCH = 100;

export async function lastEventId(ctx: Ctx): Promise<string> {
  const rows = await ctx.driver.all<{ id: number | null }>('SELECT MAX(id) AS id FROM stryke_job_events WHERE queue = ?', [ctx.queue]);
  return String(rows[0]?.id ?? 0);
}

/**
 * Where a reader that starts at `$` (only events from now on) begins. MySQL: the newest event id of any queue,
 * not only this one's, so the gap check after it (see `eventWatermark` in core.ts) scans from now, not from
 * the far past, where other queues' removed events leave gaps that held a new reader's first events back.
 */
export async function startEventId(ctx: Ctx): Promise<string> {
  if (ctx.driver.dialect !== 'mysql') return lastEventId(ctx);
  const rows = await ctx.driver.all<{ id: number | null }>('SELECT MAX(id) AS id FROM stryke_job_events');
  return String(rows[0]?.id ?? 0);
}

/** Events after `cursor`, up to `upTo` when given (the MySQL settle watermark). */
export function eventsAfter(ctx: Ctx, cursor: string, upTo?: number): Promise<{ id: number; event: string; data: string }[]> {
  const bound = upTo === undefined ? '' : ' AND id <= ?';
  const params: unknown[] = [ctx.queue, Number(cursor.split('-')[0]) || 0];
  if (upTo !== undefined) params.push(upTo);
  return ctx.driver.all(`SELECT id, event, data FROM stryke_job_events WHERE queue = ? AND id > ?${bound} ORDER BY id LIMIT ${EVENT_BATCH}`, params);
}

export async function trimEvents(ctx: Ctx, max: number): Promise<number> {
  const edge = await ctx.driver.all<{ id: number }>('SELECT id FROM stryke_job_events WHERE queue = ? ORDER BY id DESC LIMIT 1 OFFSET ?', [ctx.queue, Math.max(max, 0)]);
  if (!edge[0]) return 0;
  return ctx.driver.run('DELETE FROM stryke_job_events WHERE queue = ? AND id <= ?', [ctx.queue, edge[0].id]);
}

async function paused(ctx: Ctx): Promise<boolean> {
  const rows = await ctx.driver.all<{ value: string }>("SELECT value FROM stryke_job_meta WHERE queue = ? AND field = 'paused'", [ctx.queue]);
  return rows[0]?.value === '1';
}

export async function getState(ctx: Ctx, id: string): Promise<JobState | 'unknown'> {
  const rows = await ctx.driver.all<{ state: string; priority: number }>('SELECT state, priority FROM stryke_jobs WHERE queue = ? AND id = ?', [ctx.queue, id]);
  const row = rows[0];
  if (!row) return 'unknown';
  if (row.state === 'waiting' && Number(row.priority) > 0) return 'prioritized';
  return row.state as JobState;
}

export async function isFinished(ctx: Ctx, id: string, withValue?: boolean): Promise<number | [number, string]> {
  const rows = await ctx.driver.all<{ state: string; return_value: string | null; failed_reason: string | null }>(
    'SELECT state, return_value, failed_reason FROM stryke_jobs WHERE queue = ? AND id = ?', [ctx.queue, id],
  );
  const row = rows[0];
  let status = 0;
  let value = '';
  if (!row) [status, value] = [-1, `Missing key for job ${ctx.queue}:${id}. isFinished`];
  else if (row.state === 'completed') [status, value] = [1, row.return_value ?? 'null'];
  else if (row.state === 'failed') [status, value] = [2, row.failed_reason ?? ''];
  return withValue ? [status, value] : status;
}

export async function isMaxed(ctx: Ctx): Promise<boolean> {
  const meta = await getMetaAll(ctx);
  if (meta.concurrency === undefined) return false;
  const rows = await ctx.driver.all<{ n: number }>("SELECT COUNT(*) AS n FROM stryke_jobs WHERE queue = ? AND state = 'active'", [ctx.queue]);
  return Number(rows[0]!.n) >= Number(meta.concurrency);
}

export async function isJobInState(ctx: Ctx, state: string, id: string): Promise<boolean> {
  if (state === 'paused' && !(await paused(ctx))) return false;
  if ((state === 'wait' || state === 'waiting') && (await paused(ctx))) return false;
  const filter = typeFilter(state === 'waiting' ? 'wait' : state);
  if (!filter) throw JobsErrors.UNKNOWN_STATE(state);
  const rows = await ctx.driver.all(`SELECT id FROM stryke_jobs WHERE queue = ? AND id = ? AND ${filter}`, [ctx.queue, id]);
  return rows.length > 0;
}

export async function getJobData(ctx: Ctx, id: string): Promise<JobJson | undefined> {
  const rows = await ctx.driver.all<JobRow>('SELECT * FROM stryke_jobs WHERE queue = ? AND id = ?', [ctx.queue, id]);
  return rows[0] ? rowToJobJson(rows[0]) : undefined;
}

/** A job's log lines; `start`/`end` are inclusive indexes, negative from the end (LRANGE-style). */
export async function getLogs(ctx: Ctx, id: string, start: number, end: number, asc: boolean): Promise<{ logs: string[]; count: number }> {
  const rows = await ctx.driver.all<{ line: string }>(`SELECT line FROM stryke_job_logs WHERE queue = ? AND job_id = ? ORDER BY idx ${asc ? 'ASC' : 'DESC'}`, [ctx.queue, id]);
  const count = rows.length;
  const from = start < 0 ? Math.max(count + start, 0) : start;
  const to = end < 0 ? count + end : end;
  return { logs: rows.slice(from, to + 1).map((r) => r.line), count };
}

export async function clearLogs(ctx: Ctx, id: string, keep?: number): Promise<void> {
  if (!keep) {
    await ctx.driver.run('DELETE FROM stryke_job_logs WHERE queue = ? AND job_id = ?', [ctx.queue, id]);
    return;
  }
  const edge = await ctx.driver.all<{ idx: number }>('SELECT idx FROM stryke_job_logs WHERE queue = ? AND job_id = ? ORDER BY idx DESC LIMIT 1 OFFSET ?', [ctx.queue, id, keep]);
  if (edge[0]) await ctx.driver.run('DELETE FROM stryke_job_logs WHERE queue = ? AND job_id = ? AND idx <= ?', [ctx.queue, id, edge[0].idx]);
}

export async function getCounts(ctx: Ctx, types: JobType[], delayedTimestamp?: number): Promise<number[]> {
  const rows = await ctx.driver.all<{ state: string; prioritized: number; n: number }>(
    'SELECT state, CASE WHEN priority > 0 THEN 1 ELSE 0 END AS prioritized, COUNT(*) AS n FROM stryke_jobs WHERE queue = ? GROUP BY state, CASE WHEN priority > 0 THEN 1 ELSE 0 END',
    [ctx.queue],
  );
  const count = (state: string, prioritized?: number) =>
    rows.filter((r) => r.state === state && (prioritized === undefined || Number(r.prioritized) === prioritized)).reduce((s, r) => s + Number(r.n), 0);
  const isPaused = await paused(ctx);
  const waiting = count('waiting', 0);
  let delayed = count('delayed');
  if (delayedTimestamp !== undefined && types.includes('delayed')) {
    const d = await ctx.driver.all<{ n: number }>("SELECT COUNT(*) AS n FROM stryke_jobs WHERE queue = ? AND state = 'delayed' AND process_at < ?", [ctx.queue, delayedTimestamp]);
    delayed = Number(d[0]!.n);
  }
  const lookup: Record<string, number> = {
    active: count('active'), completed: count('completed'), failed: count('failed'), delayed,
    wait: isPaused ? 0 : waiting, waiting: isPaused ? 0 : waiting, paused: isPaused ? waiting : 0,
    prioritized: count('waiting', 1), 'waiting-children': count('waiting-children'),
  };
  return types.map((t) => lookup[t] ?? 0);
}

export async function countsPerPriority(ctx: Ctx, priorities: number[]): Promise<number[]> {
  const out: number[] = [];
  for (const p of priorities) {
    const rows = await ctx.driver.all<{ n: number }>("SELECT COUNT(*) AS n FROM stryke_jobs WHERE queue = ? AND state = 'waiting' AND priority = ?", [ctx.queue, p]);
    out.push(Number(rows[0]!.n));
  }
  return out;
}

/** Job ids per type; list-like types (wait, paused, active) newest first, as BullMQ's getters expect. */
export async function getRanges(ctx: Ctx, types: JobType[], start: number, end: number, asc: boolean): Promise<string[][]> {
  const out: string[][] = [];
  const isPaused = await paused(ctx);
  for (const type of types as string[]) {
    const filter = typeFilter(type);
    if (!filter || (type === 'paused' && !isPaused)) {
      out.push([]);
      continue;
    }
    const list = type === 'wait' || type === 'waiting' || type === 'paused' || type === 'active';
    const order = list ? 'seq DESC' : type === 'prioritized' ? `priority ${asc ? 'ASC' : 'DESC'}, seq ${asc ? 'ASC' : 'DESC'}`
      : type === 'delayed' ? `process_at ${asc ? 'ASC' : 'DESC'}` : type === 'waiting-children' ? 'seq ASC' : `finished_at ${asc ? 'ASC' : 'DESC'}`;
    const from = Math.max(start, 0);
    const limit = end < 0 ? 1_000_000_000 : end - from + 1;
    if (limit <= 0) {
      out.push([]);
      continue;
    }
    const rows = await ctx.driver.all<{ id: string }>(`SELECT id FROM stryke_jobs WHERE queue = ? AND ${filter} ORDER BY ${order} LIMIT ${limit} OFFSET ${from}`, [ctx.queue]);
    out.push(rows.map((r) => r.id));
  }
  return out;
}

export async function setMetaFields(ctx: Ctx, values: Record<string, string | number>): Promise<number> {
  const fields = Object.keys(values);
  await ctx.driver.tx(async (x) => {
    for (const f of fields) await setMeta(ctx, x, f, String(values[f]));
  });
  return fields.length;
}

export async function getMetaAll(ctx: Ctx): Promise<Record<string, string>> {
  const rows = await ctx.driver.all<{ field: string; value: string }>("SELECT field, value FROM stryke_job_meta WHERE queue = ? AND field NOT LIKE 'scheduler-lock:%' AND field <> ?", [ctx.queue, DRAIN_LOCK]);
  const out: Record<string, string> = {};
  for (const r of rows) out[r.field] = r.value;
  if (out.paused === '0') delete out.paused;
  return out;
}

export function removeMetaFields(ctx: Ctx, fields: string[]): Promise<number> {
  if (fields.length === 0) return Promise.resolve(0);
  return ctx.driver.run(`DELETE FROM stryke_job_meta WHERE queue = ? AND field IN (${marks(fields.length)})`, [ctx.queue, ...fields]);
}

export async function rateLimitRemaining(ctx: Ctx): Promise<number> {
  return rateLimitTtl(ctx, ctx.driver, Date.now());
}
