import { defer, valuesList, type Exec, type SqlDriver } from './driver';

/** What every operation of one queue's backend shares. */
export interface Ctx {
  driver: SqlDriver;
  queue: string;
  /** Queue/Worker options as BullMQ passes them to the factory (lockDuration, limiter, ...). */
  opts: Record<string, any>;
  /** "SQLite" or "MySQL/MariaDB", for messages. */
  label: string;
}

/** Events written by one transaction, inserted together at its end (the third item: another queue's, in a flow). */
export type Events = Array<[string, Record<string, unknown>, string?]>;

/** What a transaction wants announced once it commits. */
export interface Effects {
  events: Events;
  /** A job became waiting (or a delayed job was added): wake this process's idle workers. */
  wake: boolean;
  /** Other queues (of a flow) whose idle workers to wake. */
  wakeQueues?: Set<string>;
}

const TRIM_EVERY = 256;

/**
 * Runs `fn` in one transaction with an event accumulator; the events are inserted last. After commit,
 * wakes this process's waiters through the bus.
 */
export async function withTx<T>(ctx: Ctx, fn: (x: Exec, fx: Effects) => Promise<T>): Promise<T> {
  const fx: Effects = { events: [], wake: false };
  const out = await ctx.driver.tx(async (x) => {
    fx.events = [];
    fx.wake = false;
    fx.wakeQueues = undefined;
    const result = await fn(x, fx);
    if (fx.events.length > 0) await flushEvents(ctx, x, fx.events);
    return result;
  });
  announce(ctx, fx);
  return out;
}

/** The bus channel told of every commit that wrote events (MySQL: readers held by an id gap listen). */
export const ANY_EVENTS = 'any-events';

/** After commit: wakes this process's readers of the queues whose events or jobs the transaction wrote. */
function announce(ctx: Ctx, fx: Effects): void {
  if (fx.events.length > 0) {
    const queues = new Set<string>();
    for (const e of fx.events) queues.add(e[2] ?? ctx.queue);
    for (const q of queues) ctx.driver.bus.emit(`events:${q}`);
    if (ctx.driver.dialect === 'mysql') ctx.driver.bus.emit(ANY_EVENTS);
  }
  if (fx.wake) ctx.driver.bus.emit(`jobs:${ctx.queue}`);
  if (fx.wakeQueues) for (const q of fx.wakeQueues) if (q !== ctx.queue || !fx.wake) ctx.driver.bus.emit(`jobs:${q}`);
}

function maxEvents(ctx: Ctx): number {
  return ctx.opts.streams?.events?.maxLen ?? 10000;
}

/**
 * Inserts a transaction's events in one statement and now and then trims the stream to `maxLen`. SQLite
 * has one writer at a time, so event ids follow commit order; on MySQL they may not, which the
 * QueueEvents reader covers by reading only ids older than a settle delay (see `core.ts`).
 */
async function flushEvents(ctx: Ctx, x: Exec, events: Events): Promise<void> {
  const max = maxEvents(ctx);
  if (max <= 0) return;
  const params: unknown[] = [];
  for (const [event, data, queue] of events) params.push(queue ?? ctx.queue, event, JSON.stringify(data));
  await defer(x, `INSERT INTO stryke_job_events (queue, event, data) VALUES ${valuesList(events.length, 3)}`, params);
  // Finding the edge walks `max` index entries: done about once per max/10 events (at least 256), so the
  // stream may hold up to about 10% more than `max` between trims (Redis trims approximately too).
  if (Math.random() < events.length / Math.max(TRIM_EVERY, Math.floor(max / 10))) {
    const edge = await x.all<{ id: number }>('SELECT id FROM stryke_job_events WHERE queue = ? ORDER BY id DESC LIMIT 1 OFFSET ?', [ctx.queue, max]);
    if (edge[0]) await defer(x, 'DELETE FROM stryke_job_events WHERE queue = ? AND id <= ?', [ctx.queue, edge[0].id]);
  }
}

/** The queue's settings rows (paused, concurrency, rate limits) in one read. */
export async function getMetaMap(ctx: Ctx, x: Exec): Promise<Record<string, string>> {
  const rows = await x.all<{ field: string; value: string }>(
    "SELECT field, value FROM stryke_job_meta WHERE queue = ? AND field IN ('paused', 'concurrency', 'max', 'duration', 'limiter')",
    [ctx.queue],
  );
  const out: Record<string, string> = {};
  for (const r of rows) out[r.field] = r.value;
  return out;
}

/** The `stryke_job_meta` field whose row serializes the drained check on MySQL (not one of the queue's settings). */
export const DRAIN_LOCK = 'drain-lock';

/** `SELECT ... FOR UPDATE` where the database has row locks (SQLite's write lock already covers it). */
export function forUpdate(ctx: Ctx): string {
  return ctx.driver.dialect === 'mysql' ? ' FOR UPDATE' : '';
}

export async function getMeta(ctx: Ctx, x: Exec, field: string): Promise<string | null> {
  const rows = await x.all<{ value: string | null }>('SELECT value FROM stryke_job_meta WHERE queue = ? AND field = ?', [ctx.queue, field]);
  return rows[0]?.value ?? null;
}

export async function setMeta(ctx: Ctx, x: Exec, field: string, value: string): Promise<void> {
  await x.run(ctx.driver.upsert('stryke_job_meta', ['queue', 'field', 'value'], ['queue', 'field'], ['value']), [ctx.queue, field, value]);
}

/** Runs `fn` inside a transaction someone else owns (the app's `Model.transaction`), events included. */
export async function withinExternalTx<T>(ctx: Ctx, x: Exec, fn: (x: Exec, fx: Effects) => Promise<T>): Promise<T> {
  const fx: Effects = { events: [], wake: false };
  const out = await fn(x, fx);
  if (fx.events.length > 0) await flushEvents(ctx, x, fx.events);
  return out;
}
