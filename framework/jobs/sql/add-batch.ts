import type { JobJson } from 'bullmq';
import { withTx, type Ctx } from './context';
import { insertJob, insertJobs } from './insert';
import { Coalescer } from './coalescer';

interface PendingAdd {
  entry: { job: JobJson; jobId: string; parentKeyOpts?: { parentKey?: string } };
  resolve(id: string): void;
  reject(err: unknown): void;
}

/** Most jobs one shared transaction adds. */
const MAX_BATCH = 256;
/** Add transactions one backend runs at once. */
const MAX_IN_FLIGHT = 4;

/**
 * Coalesces concurrent `queue.add` calls of one process into shared transactions: up to four run at once
 * (parallel commits share the database's log flush), and the adds made meanwhile are written together by
 * the next (one multi-row INSERT when they are plain jobs), so many producers pay few commits between them.
 * Adds made by one synchronous run of code (`add(a); add(b)` without awaiting) go in one transaction, in call
 * order. Each add resolves once its job is committed. If a
 * shared transaction fails, each add of it is tried again alone, so one bad job fails only its own call.
 */
export class AddBatcher {
  private readonly batches = new Coalescer<PendingAdd>({ maxBatch: MAX_BATCH, maxInFlight: MAX_IN_FLIGHT, gather: 'sync', write: (batch) => this.write(batch) });

  constructor(private readonly ctx: Ctx) {}

  add(entry: PendingAdd['entry']): Promise<string> {
    return new Promise<string>((resolve, reject) => this.batches.push({ entry, resolve, reject }));
  }

  private async write(batch: PendingAdd[]): Promise<void> {
    if (batch.length === 1) return this.alone(batch[0]!);
    try {
      const ids = await withTx(this.ctx, (x, fx) => insertJobs(this.ctx, x, fx, batch.map((p) => p.entry)));
      batch.forEach((p, i) => p.resolve(ids[i]!));
    } catch {
      for (const p of batch) await this.alone(p);
    }
  }

  private async alone(p: PendingAdd): Promise<void> {
    try {
      p.resolve(await withTx(this.ctx, (x, fx) => insertJob(this.ctx, x, fx, p.entry.job, p.entry.jobId, p.entry.parentKeyOpts)));
    } catch (err) {
      p.reject(err);
    }
  }
}
