import { defer, type Exec } from './driver';
import { forUpdate, getMeta, getMetaMap, setMeta, withTx, type Ctx, type Effects } from './context';
import { rowToJobJson, type JobRow } from './rows';

/** The worker's `[jobData, id, rateLimitDelay, delayUntil]` tuple. */
export type NextJob = [ReturnType<typeof rowToJobJson> | null, string, number, number];

/**
 * A worker's claim (`moveToActive`) that got a job answers with the claim's time as `delayUntil`, not 0 as on
 * Redis: BullMQ's worker fills its free slots by claiming one job after another and starts none of them until
 * the slots are full, unless the last answer carried a `delayUntil`. On Redis jobs added together still arrive
 * one by one, so a claim soon finds nothing and the worker starts what it has; here they are all there at
 * once, and without this every `active` event would fire before any processor had its abort signal, so
 * `worker.cancelJob(id)` after them found nothing to cancel. With it each job starts (its abort controller
 * registered) before the next is claimed. The worker reads the value only there (it waits for jobs only after
 * an empty answer, which sets its own). The next job a finished one's move returns keeps 0, as on Redis.
 */
export function startsFirst(next: NextJob, now: number): NextJob {
  return [next[0], next[1], next[2], Math.max(now, 1)];
}

const PROMOTE_BATCH = 1000;

/** Due delayed jobs become waiting, at the back of the line (a fresh `seq`), in the order they are due (jobs due in the same millisecond in the order they were added). */
export async function promoteDue(ctx: Ctx, x: Exec, fx: Effects, now: number, limit = PROMOTE_BATCH, seenDue = false): Promise<number> {
  // A plain read first: a locking range scan would also lock the index entry just past the range (on
  // MySQL, the next waiting job's), making every claim wait on every other. (`seenDue`: the caller's read saw one.)
  if (!seenDue) {
    const any = await x.all("SELECT id FROM stryke_jobs WHERE queue = ? AND state = 'delayed' AND process_at <= ? LIMIT 1", [ctx.queue, now]);
    if (any.length === 0) return 0;
  }
  const due = await x.all<{ id: string }>(
    `SELECT id FROM stryke_jobs WHERE queue = ? AND state = 'delayed' AND process_at <= ? ORDER BY process_at, seq LIMIT ${limit}${ctx.driver.claimLock}`,
    [ctx.queue, now],
  );
  if (due.length === 0) return 0;
  const top = await ctx.driver.bump(x, ctx.queue, 'seq', due.length);
  let seq = top - due.length;
  for (const { id } of due) {
    await x.run("UPDATE stryke_jobs SET state = 'waiting', delay_ms = 0, process_at = NULL, seq = ? WHERE queue = ? AND id = ?", [++seq, ctx.queue, id]);
    fx.events.push(['waiting', { jobId: id, prev: 'delayed' }]);
  }
  fx.wake = true;
  return due.length;
}

/** The key `metaAndDue` reports a due delayed job under (no meta field starts with "~"). */
const DUE = '~due';

/** The queue's settings rows and whether a delayed job is due, as one read. */
export function metaQuery(ctx: Ctx, now: number): [string, unknown[]] {
  return [
    `SELECT field, value FROM stryke_job_meta WHERE queue = ? AND field IN ('paused', 'concurrency', 'max', 'duration', 'limiter')
     UNION ALL SELECT '${DUE}', id FROM (SELECT id FROM stryke_jobs WHERE queue = ? AND state = 'delayed' AND process_at <= ? LIMIT 1) due`,
    [ctx.queue, ctx.queue, now],
  ];
}

export function metaOf(rows: Array<{ field: string; value: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) out[r.field] = r.value;
  return out;
}

async function metaAndDue(ctx: Ctx, x: Exec, now: number): Promise<Record<string, string>> {
  const [sql, params] = metaQuery(ctx, now);
  return metaOf(await x.all(sql, params));
}

/** Candidates a MySQL claim reads per job it wants (the rest cover jobs other transactions hold). */
const CANDIDATES_PER_CLAIM = 2;

/**
 * The first `n` waiting jobs, locked (skipping those other transactions hold). On MySQL/MariaDB in two steps
 * in one statement: a plain read of the first 2n waiting ids in the claim index, then a locking read of those
 * rows by primary key (SKIP LOCKED, still waiting). A locking range scan of the claim index costs several
 * times more (measured: about 1 ms of server CPU per claim, half the server's work per job), since the front
 * of the waiting range is full of entries of jobs already taken that InnoDB has not purged yet, each locked
 * in passing. Each row carries `total`, the number of candidates read: when it is below the limit, no more
 * jobs are waiting (see `lockWaiting`). Rows come in no particular order.
 */
export function waitingQuery(ctx: Ctx, n: number): [string, unknown[]] {
  if (ctx.driver.dialect !== 'mysql') {
    return [`SELECT * FROM stryke_jobs WHERE queue = ? AND state = 'waiting' ORDER BY priority, seq LIMIT ${n}${ctx.driver.claimLock}`, [ctx.queue]];
  }
  return [
    `SELECT c.total AS candidates_read, j.* FROM (SELECT id, COUNT(*) OVER () AS total FROM (SELECT id FROM stryke_jobs WHERE queue = ? AND state = 'waiting'
     ORDER BY priority, seq LIMIT ${n * CANDIDATES_PER_CLAIM}) c0) c STRAIGHT_JOIN stryke_jobs j ON j.queue = ? AND j.id = c.id WHERE j.state = 'waiting'${ctx.driver.claimLock}`,
    [ctx.queue, ctx.queue],
  ];
}

/**
 * The first `n` waiting jobs for a claim, locked, in (priority, seq) order, from `read` (the result of
 * `waitingQuery(ctx, n)`, read ahead) or read now. When the MySQL candidates were all taken by other
 * transactions (none locked, or fewer than `n` while more may be waiting), the rest comes from a locking scan
 * of the claim index, which skips what others hold.
 */
async function lockWaiting(ctx: Ctx, x: Exec, n: number, read?: Array<JobRow & { candidates_read?: number }>): Promise<JobRow[]> {
  let rows = read;
  if (!rows) {
    const [sql, params] = waitingQuery(ctx, n);
    rows = await x.all<JobRow & { candidates_read?: number }>(sql, params);
  }
  if (ctx.driver.dialect !== 'mysql') return rows.slice(0, n);
  const read2 = Number(rows[0]?.candidates_read ?? 0);
  for (const r of rows) delete r.candidates_read;
  rows.sort((a, b) => Number(a.priority) - Number(b.priority) || Number(a.seq) - Number(b.seq));
  // Locked but not needed: they stay waiting, their locks end at commit.
  const out: JobRow[] = rows.slice(0, n);
  if (out.length < n && (rows.length === 0 || read2 >= n * CANDIDATES_PER_CLAIM)) {
    const have = out.map((r) => r.id);
    const more = await x.all<JobRow>(
      `SELECT * FROM stryke_jobs WHERE queue = ? AND state = 'waiting'${have.length ? ` AND id NOT IN (${have.map(() => '?').join(', ')})` : ''}
       ORDER BY priority, seq LIMIT ${n - out.length}${ctx.driver.claimLock}`,
      [ctx.queue, ...have],
    );
    out.push(...more);
  }
  return out;
}

/** What a batch read ahead, with its other reads in one round trip: the queue's meta and the first waiting jobs. */
export interface Prefetched {
  meta: Record<string, string>;
  rows: JobRow[];
}

interface Limiter {
  max: number;
  duration: number;
}

function limiterOf(ctx: Ctx, meta: Record<string, string>): Limiter | undefined {
  const max = meta.max ?? ctx.opts.limiter?.max;
  const duration = ctx.opts.limiter?.duration ?? meta.duration;
  if (max == null || duration == null) return undefined;
  return { max: Number(max), duration: Number(duration) };
}

export function windowOf(raw: string | undefined | null): [number, number] {
  return raw ? (raw.split(':').map(Number) as [number, number]) : [0, 0];
}

/** The remaining rate-limit window in ms when `max` jobs already ran in it, else 0. */
export async function rateLimitTtl(ctx: Ctx, x: Exec, now: number, max?: number, raw?: string | null): Promise<number> {
  const [count, until] = windowOf(raw === undefined ? await getMeta(ctx, x, 'limiter') : raw);
  if (until <= now) return 0;
  if (max !== undefined && count < max) return 0;
  return until - now;
}

/**
 * Claims the next waiting job: promotes due delayed jobs, honours pause, global concurrency and the
 * rate limiter, then takes the first waiting row by (priority, seq) and locks it for `lockDuration`.
 */
export async function claim(ctx: Ctx, x: Exec, fx: Effects, token: string, name: string | undefined, now: number): Promise<NextJob> {
  const meta = await metaAndDue(ctx, x, now);
  if (meta[DUE]) await promoteDue(ctx, x, fx, now, PROMOTE_BATCH, true);
  if (meta.paused === '1') return [null, '', 0, 0];

  if (meta.concurrency !== undefined) {
    // Serializes claims of this queue across connections while the limit applies (SQLite's write lock
    // already does), so two workers cannot both see room for one more.
    await x.all(`SELECT value FROM stryke_job_meta WHERE queue = ? AND field = 'concurrency'${forUpdate(ctx)}`, [ctx.queue]);
    const active = await x.all<{ n: number }>("SELECT COUNT(*) AS n FROM stryke_jobs WHERE queue = ? AND state = 'active'", [ctx.queue]);
    if (Number(active[0]!.n) >= Number(meta.concurrency)) return [null, '', 0, 0];
  }

  const limiter = limiterOf(ctx, meta);
  if (limiter) {
    const ttl = await rateLimitTtl(ctx, x, now, limiter.max, meta.limiter ?? null);
    if (ttl > 0) return [null, '', ttl, 0];
  }

  const row = (await lockWaiting(ctx, x, 1))[0];
  if (!row) {
    const next = await x.all<{ at: number | null }>("SELECT MIN(process_at) AS at FROM stryke_jobs WHERE queue = ? AND state = 'delayed'", [ctx.queue]);
    return [null, '', 0, Number(next[0]?.at ?? 0)];
  }

  if (limiter) {
    const [count, until] = windowOf(meta.limiter);
    await setMeta(ctx, x, 'limiter', until > now ? `${count + 1}:${until}` : `1:${now + limiter.duration}`);
  }

  const lockUntil = now + Number(ctx.opts.lockDuration ?? 30000);
  await defer(
    x,
    "UPDATE stryke_jobs SET state = 'active', lock_token = ?, locked_until = ?, processed_at = ?, processed_by = ?, attempts_started = attempts_started + 1 WHERE queue = ? AND id = ?",
    [token, lockUntil, now, name ?? null, ctx.queue, row.id],
  );
  Object.assign(row, { state: 'active', lock_token: token, locked_until: lockUntil, processed_at: now, processed_by: name ?? null, attempts_started: Number(row.attempts_started) + 1 });
  fx.events.push(['active', { jobId: row.id, prev: 'waiting' }]);
  return [rowToJobJson(row), row.id, 0, 0];
}

/** The due time of the next delayed job (ms), or undefined. */
export async function nextDelayed(ctx: Ctx): Promise<number | undefined> {
  const rows = await ctx.driver.all<{ at: number | null }>("SELECT MIN(process_at) AS at FROM stryke_jobs WHERE queue = ? AND state = 'delayed'", [ctx.queue]);
  return rows[0]?.at == null ? undefined : Number(rows[0].at);
}

/**
 * Whether a job is ready to claim now: waiting (or delayed and due), the queue not paused and, under a
 * global concurrency limit, below it. (Rate limits are the worker's own wait: a claim reports the ttl.)
 */
export async function hasReadyJob(ctx: Ctx, now: number): Promise<boolean> {
  const rows = await ctx.driver.all<{ n: number }>(
    "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM stryke_jobs WHERE queue = ? AND (state = 'waiting' OR (state = 'delayed' AND process_at <= ?)) LIMIT 1) t",
    [ctx.queue, now],
  );
  if (Number(rows[0]!.n) === 0) return false;
  const meta = await getMetaMap(ctx, ctx.driver);
  if (meta.paused === '1') {
    // A paused queue's due delayed jobs still become waiting (as on Redis), to run once it resumes.
    await withTx(ctx, (x, fx) => promoteDue(ctx, x, fx, now));
    return false;
  }
  if (meta.concurrency === undefined) return true;
  const active = await ctx.driver.all<{ n: number }>("SELECT COUNT(*) AS n FROM stryke_jobs WHERE queue = ? AND state = 'active'", [ctx.queue]);
  return Number(active[0]!.n) < Number(meta.concurrency);
}

/**
 * Claims up to one job per token in one go (a worker's batch of finished jobs wanting their next ones, or
 * several idle slots): promotes due delayed jobs once, reads the queue's settings once and, without a
 * global concurrency limit or rate limiter, takes the first `tokens.length` waiting rows in one locking
 * read and marks them active in one statement. With either limit each claim goes through `claim`, which
 * checks it per job. Results are in token order; tokens left without a job get the "none" answer.
 */
export async function claimMany(ctx: Ctx, x: Exec, fx: Effects, tokens: string[], name: string | undefined, now: number, pre?: Prefetched): Promise<NextJob[]> {
  if (tokens.length === 0) return [];
  if (tokens.length === 1 && !pre) return [await claim(ctx, x, fx, tokens[0]!, name, now)];
  const meta = pre?.meta ?? (await metaAndDue(ctx, x, now));
  // The rows read ahead (`waitingQuery` with a limit of at least tokens.length) serve when nothing below
  // changes which jobs may be taken.
  let rows = pre?.rows;
  if (meta[DUE]) {
    await promoteDue(ctx, x, fx, now, PROMOTE_BATCH, true);
    rows = undefined;
  }
  if (meta.paused === '1') return tokens.map(() => [null, '', 0, 0]);
  if (meta.concurrency !== undefined || limiterOf(ctx, meta)) {
    const out: NextJob[] = [];
    for (const token of tokens) out.push(await claim(ctx, x, fx, token, name, now));
    return out;
  }
  rows = await lockWaiting(ctx, x, tokens.length, rows);
  const out: NextJob[] = [];
  if (rows.length > 0) {
    const lockUntil = now + Number(ctx.opts.lockDuration ?? 30000);
    const cases = rows.map(() => 'WHEN ? THEN ?').join(' ');
    const params: unknown[] = [];
    rows.forEach((row, i) => params.push(row.id, tokens[i]));
    await defer(
      x,
      `UPDATE stryke_jobs SET state = 'active', lock_token = CASE id ${cases} END, locked_until = ?, processed_at = ?, processed_by = ?,
       attempts_started = attempts_started + 1 WHERE queue = ? AND id IN (${rows.map(() => '?').join(', ')})`,
      [...params, lockUntil, now, name ?? null, ctx.queue, ...rows.map((r) => r.id)],
    );
    rows.forEach((row, i) => {
      Object.assign(row, { state: 'active', lock_token: tokens[i], locked_until: lockUntil, processed_at: now, processed_by: name ?? null, attempts_started: Number(row.attempts_started) + 1 });
      fx.events.push(['active', { jobId: row.id, prev: 'waiting' }]);
      out.push([rowToJobJson(row), row.id, 0, 0]);
    });
  }
  if (out.length < tokens.length) {
    const next = await x.all<{ at: number | null }>("SELECT MIN(process_at) AS at FROM stryke_jobs WHERE queue = ? AND state = 'delayed'", [ctx.queue]);
    while (out.length < tokens.length) out.push([null, '', 0, Number(next[0]?.at ?? 0)]);
  }
  return out;
}
