import { forUpdate, type Ctx } from './context';
import type { Exec } from './driver';

const MINUTE = 60_000;

/**
 * Worker metrics (`metrics: { maxDataPoints }`): per queue and kind (completed, failed) a running count and
 * the jobs finished per minute, newest first, at most `maxDataPoints` of them, as BullMQ keeps them on Redis.
 * A minute's point is written when the first job of a later minute finishes.
 */
export async function collectMetrics(ctx: Ctx, x: Exec, kind: 'completed' | 'failed', finished: number, at: number): Promise<void> {
  const max = Number(ctx.opts.metrics?.maxDataPoints ?? 0);
  if (!max || finished <= 0) return;
  const rows = await x.all<{ count: number; prev_ts: number | null; prev_count: number; data: string }>(
    `SELECT count, prev_ts, prev_count, data FROM stryke_job_metrics WHERE queue = ? AND kind = ?${forUpdate(ctx)}`, [ctx.queue, kind],
  );
  const row = rows[0];
  let count = Number(row?.count ?? 0);
  let prevTs = row?.prev_ts == null ? null : Number(row.prev_ts);
  let prevCount = Number(row?.prev_count ?? 0);
  let data: number[] = row ? (JSON.parse(row.data || '[]') as number[]) : [];
  for (let i = 0; i < finished; i++) {
    const before = count;
    count++;
    if (prevTs === null) {
      prevTs = at;
      prevCount = 0;
      continue;
    }
    const n = Math.min(Math.floor(at / MINUTE) - Math.floor(prevTs / MINUTE), max);
    if (n > 0) {
      data = [...new Array(n - 1).fill(0), before - prevCount, ...data].slice(0, max);
      prevCount = before;
      prevTs = at;
    }
  }
  await x.run(ctx.driver.upsert('stryke_job_metrics', ['queue', 'kind', 'count', 'prev_ts', 'prev_count', 'data'], ['queue', 'kind'], ['count', 'prev_ts', 'prev_count', 'data']), [
    ctx.queue, kind, count, prevTs, prevCount, JSON.stringify(data),
  ]);
}

/** `queue.getMetrics(kind, start, end)`: [[count, prevTS, prevCount], points start..end (newest first), how many]. */
export async function getMetrics(ctx: Ctx, kind: string, start = 0, end = -1): Promise<[string[], string[], number]> {
  const rows = await ctx.driver.all<{ count: number; prev_ts: number | null; prev_count: number; data: string }>(
    'SELECT count, prev_ts, prev_count, data FROM stryke_job_metrics WHERE queue = ? AND kind = ?', [ctx.queue, kind],
  );
  const row = rows[0];
  if (!row) return [['0', '0', '0'], [], 0];
  const data = JSON.parse(row.data || '[]') as number[];
  const to = end < 0 ? data.length + end + 1 : end + 1;
  const points = data.slice(Math.max(start, 0), Math.max(to, 0)).map(String);
  return [[String(row.count), String(row.prev_ts ?? 0), String(row.prev_count ?? 0)], points, points.length];
}
