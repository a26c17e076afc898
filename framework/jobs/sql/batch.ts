import { withTx, type Ctx, type Effects } from './context';
import { claimMany, metaOf, metaQuery, startsFirst, waitingQuery, type NextJob, type Prefetched } from './claim';
import { sleep, type Exec } from './driver';
import { announceDrained, completeMany, fail, finishingRowsQuery, type CompleteItem, type FinishingRow } from './finish';
import { JobsErrors } from '../errors';
import { Coalescer, realSetImmediate } from './coalescer';

/** Most moves one transaction takes. */
const MAX_BATCH = 64;
/**
 * Transactions one worker's backend runs at once (while one commits, the next batch gathers). One: two in flight
 * could each claim a job (the second skipping the row the first had locked) and commit in either order, so a
 * worker with two slots started job 4 before job 3 on MySQL/MariaDB, where BullMQ (Redis, or its PostgreSQL
 * backend on one connection) starts a queue's jobs in order.
 */
const MAX_IN_FLIGHT = 1;
/** First wait before writing a finished job again after a lost connection; doubles up to `RETRY_MAX_DELAY`. */
const RETRY_FIRST_DELAY = 100;
const RETRY_MAX_DELAY = 2000;

export type Move =
  | { kind: 'claim'; token: string; name?: string }
  | ({ kind: 'complete'; fetchNext: boolean } & CompleteItem)
  | { kind: 'fail'; id: string; reason: string; removeOnFail: unknown; token: string; fetchNext: boolean; stacktrace?: string };

type Finished = { result: NextJob | undefined; finishedOn: number };

interface Pending {
  move: Move;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  /** Set once a transaction carrying this move failed on the connection (its commit may have happened). */
  retried?: boolean;
}

export interface BatcherHooks {
  /** The backend is closing: finish what is queued, do not wait to retry. */
  closing(): boolean;
  /** How long to keep retrying a finished job's write after a lost connection, in ms. */
  retryFor: number;
  /** Reports a failed write that will be retried (the backend emits it as an 'error'). */
  report(err: Error): void;
}

/**
 * Coalesces one worker's concurrent moves (jobs completed or failed, next jobs claimed) into shared
 * transactions: the jobs finished meanwhile are written together, and the next jobs for every slot that
 * wants one are claimed in one read, so a worker with concurrency N pays about one commit per N jobs
 * instead of one each. A move that meets a lost connection is written again on a fresh one (backoff from
 * 100 ms to 2 s, each failure reported) until it commits or `retryFor` ms pass, so a job that finished while
 * the database was away is recorded as soon as it is back, not later by stalled-job recovery.
 */
export class MoveBatcher {
  // Everything waiting goes in one transaction (measured: splitting it over parallel transactions is
  // slower, each pays the same round trips); the next batch gathers while this one commits.
  private readonly batches = new Coalescer<Pending>({
    maxBatch: MAX_BATCH,
    maxInFlight: MAX_IN_FLIGHT,
    gather: true,
    write: (batch) => this.execute(batch),
    // While a batch hands out its jobs one per turn, the moves they make (jobs done at once) wait to go
    // together, as they would had the jobs been handed out at once.
    hold: () => (this.handingOut.size > 0 ? Promise.all(this.handingOut).then(() => undefined) : undefined),
  });
  /** Batches still handing out their jobs (see `settleInTurn`). */
  private readonly handingOut = new Set<Promise<void>>();

  constructor(private readonly ctx: Ctx, private readonly hooks: BatcherHooks) {}

  submit<T>(move: Move): Promise<T> {
    return new Promise<T>((resolve, reject) => this.batches.push({ move, resolve: resolve as (v: unknown) => void, reject }));
  }

  private async execute(batch: Pending[]): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const results = await withTx(this.ctx, (x, fx) => this.run(batch, x, fx));
        const settling = settleInTurn(batch, results);
        if (settling) {
          this.handingOut.add(settling);
          void settling.then(() => this.handingOut.delete(settling));
        }
        return;
      } catch (err) {
        const lost = this.ctx.driver.isConnectionError(err);
        // Claims are not worth holding a slot for: BullMQ's worker asks again. Finished jobs are.
        const keep = lost ? batch.filter((p) => p.move.kind !== 'claim') : [];
        for (const p of batch) if (!keep.includes(p)) p.reject(err);
        const waited = Date.now() - started;
        if (keep.length === 0) return;
        if (waited >= this.hooks.retryFor || this.hooks.closing()) {
          for (const p of keep) p.reject(err);
          return;
        }
        const delay = Math.min(RETRY_FIRST_DELAY * 2 ** (attempt - 1), RETRY_MAX_DELAY, Math.max(this.hooks.retryFor - waited, 1));
        const ids = keep.map((p) => (p.move as { id: string }).id);
        try {
          this.hooks.report(JobsErrors.FINISH_RETRY(ids.join(', '), this.ctx.queue, (err as Error).message, delay, attempt));
        } catch {
          // A Worker without an 'error' listener rethrows what it is told; the write is retried all the same.
        }
        for (const p of keep) p.retried = true;
        batch = keep;
        await sleep(delay);
      }
    }
  }

  /** One transaction's work; returns each move's result (an Error for one refused on its own). */
  private async run(batch: Pending[], x: Exec, fx: Effects): Promise<unknown[]> {
    const ctx = this.ctx;
    const now = Date.now();
    const results: unknown[] = new Array(batch.length).fill(undefined);
    const wanting: number[] = [];
    const completes: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const move = batch[i]!.move;
      if (move.kind === 'claim') wanting.push(i);
      else if (move.kind === 'complete') completes.push(i);
    }
    const retried = batch.map((p, i) => (p.retried ? i : -1)).filter((i) => i >= 0);
    if (retried.length > 0) {
      // A retry after a lost connection: the earlier commit may have gone through. A job already finished
      // (or removed by removeOnComplete/removeOnFail) with no lock left was recorded then.
      const done = await alreadyFinished(ctx, x, retried.map((i) => (batch[i]!.move as { id: string }).id));
      for (const i of retried) if (done.has((batch[i]!.move as { id: string }).id)) results[i] = { result: undefined, finishedOn: now } satisfies Finished;
    }
    // Where the database takes several statements at once (MySQL), read everything this batch needs up
    // front in one round trip: the finishing jobs' rows, the queue's meta and enough waiting jobs for every
    // slot that may want one. (A job that turns out not to be needed stays waiting; its row lock ends at commit.)
    let finishing: FinishingRow[] | undefined;
    let pre: Prefetched | undefined;
    const failing = batch.some((p) => p.move.kind === 'fail');
    if (x.allMany && !failing) {
      const todo = completes.filter((i) => results[i] === undefined);
      const mayWant = wanting.length + (this.hooks.closing() ? 0 : todo.filter((i) => (batch[i]!.move as { fetchNext: boolean }).fetchNext).length);
      const queries: Array<[string, unknown[]]> = [];
      if (todo.length > 0) queries.push(finishingRowsQuery(ctx, todo.map((i) => (batch[i]!.move as CompleteItem).id)));
      if (mayWant > 0) queries.push(metaQuery(ctx, now), waitingQuery(ctx, mayWant));
      if (queries.length > 0) {
        const read = await x.allMany(queries);
        if (todo.length > 0) finishing = read.shift();
        if (mayWant > 0) pre = { meta: metaOf(read[0]!), rows: read[1]! };
      }
    }
    if (completes.length > 0) {
      const todo = completes.filter((i) => results[i] === undefined);
      const errors = todo.length ? await completeMany(ctx, x, fx, todo.map((i) => batch[i]!.move as CompleteItem), now, finishing) : [];
      todo.forEach((i, k) => {
        results[i] = errors[k] ?? ({ result: undefined, finishedOn: now } satisfies Finished);
        const move = batch[i]!.move as { fetchNext: boolean };
        if (!errors[k] && move.fetchNext && !this.hooks.closing()) wanting.push(i);
      });
    }
    for (let i = 0; i < batch.length; i++) {
      const move = batch[i]!.move;
      if (move.kind !== 'fail' || results[i] !== undefined) continue;
      try {
        results[i] = await fail(ctx, x, fx, move.id, move.reason, move.removeOnFail, move.token, false, move.stacktrace);
        if (move.fetchNext && !this.hooks.closing()) wanting.push(i);
      } catch (err) {
        if (typeof (err as { code?: unknown }).code !== 'number') throw err;
        results[i] = err;
      }
    }
    if (wanting.length > 0) {
      wanting.sort((a, b) => a - b);
      const tokens = wanting.map((i) => batch[i]!.move.token);
      const nexts = await claimMany(ctx, x, fx, tokens, ctx.opts.name, now, pre);
      let drained = false;
      wanting.forEach((i, k) => {
        const next = nexts[k]!;
        if (batch[i]!.move.kind === 'claim') {
          results[i] = next[0] ? startsFirst(next, now) : next;
        } else {
          (results[i] as Finished).result = next;
          if (!next[0] && next[2] === 0) drained = true;
        }
      });
      if (drained) await announceDrained(ctx, x, fx);
    }
    return results;
  }
}

/** Whether a move's answer hands the worker a job to start (a claim's, or the next job of a finished one). */
function carriesJob(result: unknown): boolean {
  const next = Array.isArray(result) ? (result as NextJob) : (result as Finished | undefined)?.result;
  return !!next?.[0];
}

/**
 * Settles a committed batch's moves. Answers that hand the worker a job go one per turn of the event loop:
 * BullMQ's worker announces a job's `active` as the answer arrives and registers its abort controller (what
 * `worker.cancelJob` finds) only when it starts the job a few promise steps later. Answered all at once, every
 * `active` of the batch would fire before the first job started, and a `cancelJob` called on those events
 * would find nothing to cancel; one per turn, each job has started before the next one's `active`. Resolves
 * (when some were handed out later) a turn after the last.
 */
function settleInTurn(batch: Pending[], results: unknown[]): Promise<void> | undefined {
  const later: Array<() => void> = [];
  let handedOut = false;
  batch.forEach((p, i) => {
    const r = results[i]!;
    if (r instanceof Error) return p.reject(r);
    if (!carriesJob(r)) return p.resolve(r);
    if (handedOut) return later.push(() => p.resolve(r));
    handedOut = true;
    p.resolve(r);
  });
  if (later.length === 0) return undefined;
  // Resolves a turn after the last job is handed out, once what its promise callbacks submit is queued.
  return new Promise<void>((resolve) => {
    let k = 0;
    const next = () => {
      if (k === later.length) return resolve();
      later[k++]!();
      realSetImmediate(next);
    };
    realSetImmediate(next);
  });
}

async function alreadyFinished(ctx: Ctx, x: Exec, ids: string[]): Promise<Set<string>> {
  const rows = await x.all<{ id: string; state: string; lock_token: string | null }>(
    `SELECT id, state, lock_token FROM stryke_jobs WHERE queue = ? AND id IN (${ids.map(() => '?').join(', ')})`,
    [ctx.queue, ...ids],
  );
  const present = new Map(rows.map((r) => [String(r.id), r]));
  return new Set(ids.filter((id) => {
    const row = present.get(id);
    return !row || ((row.state === 'completed' || row.state === 'failed') && row.lock_token == null);
  }));
}
