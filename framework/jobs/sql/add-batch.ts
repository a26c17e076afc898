import type { JobJson } from 'bullmq';
import { withTx, type Ctx } from './context';
import { insertJob, insertJobs } from './write';

interface PendingAdd {
  entry: { job: JobJson; jobId: string; parentKeyOpts?: { parentKey?: string } };
  resolve(id: string): void;
  reject(err: unknown): void;
}

/** Most jobs one shared transaction adds. */
const MAX_BATCH = 256;

/**
 * Coalesces concurrent `queue.add` calls of one process into shared transactions: the adds made while one
 * transaction commits are written together by the next (one multi-row INSERT when they are plain jobs),
 * so many producers pay about one commit between them. Each add resolves once its job is committed. If a
 * shared transaction fails, each add of it is tried again alone, so one bad job fails only its own call.
 */
export class AddBatcher {
  private pending: PendingAdd[] = [];
  private running = false;

  constructor(private readonly ctx: Ctx) {}

  add(entry: PendingAdd['entry']): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        if (batch.length === 1) {
          await this.alone(batch[0]!);
          continue;
        }
        try {
          const ids = await withTx(this.ctx, (x, fx) => insertJobs(this.ctx, x, fx, batch.map((p) => p.entry)));
          batch.forEach((p, i) => p.resolve(ids[i]!));
        } catch {
          for (const p of batch) await this.alone(p);
        }
      }
    } finally {
      this.running = false;
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
