import type { Job as BullJob } from 'bullmq';

/**
 * Where other concerns wrap enqueueing and performing (framework/observability: metrics, trace context
 * and the request id carried in the job's data). Unset, a job runs with no extra work.
 */
export interface JobHooks {
  /** Around an enqueue: may add fields to `data` (the job's `{ args }`) before calling `add`. */
  enqueue?(queue: string, name: string, data: Record<string, unknown>, add: () => Promise<BullJob>): Promise<BullJob>;
  /** Around a perform: `run` calls the job's `perform`. */
  perform?(job: BullJob, queue: string, run: () => Promise<unknown>): Promise<unknown>;
}

export const jobHooks: JobHooks = {};
