import type { Job as BullJob, JobType } from 'bullmq';
import { queueFor } from '../runtime';

/** The states the dashboard shows, in the order a job moves through them. */
export const STATES: JobType[] = ['waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed'];
export const PAGE_SIZE = 25;
const DATA_LIMIT = 20_000;

export interface JobView {
  id: string;
  name: string;
  state: string;
  data: string;
  dataTruncated: boolean;
  error?: string;
  stack?: string;
  attempts: number;
  created: string;
  processed?: string;
  finished?: string;
  delayUntil?: string;
  returnValue?: string;
  retryable: boolean;
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : undefined);

function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? 'undefined';
  } catch {
    return String(value);
  }
}

export function jobView(job: BullJob, state: string): JobView {
  const data = json(job.data);
  return {
    id: String(job.id),
    name: job.name,
    state,
    data: data.length > DATA_LIMIT ? data.slice(0, DATA_LIMIT) : data,
    dataTruncated: data.length > DATA_LIMIT,
    error: job.failedReason || undefined,
    stack: job.stacktrace?.length ? job.stacktrace.join('\n\n') : undefined,
    attempts: job.attemptsMade,
    created: iso(job.timestamp)!,
    processed: iso(job.processedOn),
    finished: iso(job.finishedOn),
    delayUntil: job.delay ? iso(job.timestamp + job.delay) : undefined,
    returnValue: job.returnvalue === undefined || job.returnvalue === null ? undefined : json(job.returnvalue),
    retryable: state === 'failed' || state === 'completed',
  };
}

export async function queueCounts(queues: string[]): Promise<Array<{ name: string; counts: Record<string, number>; total: number }>> {
  return Promise.all(queues.map(async (name) => {
    const counts = await queueFor(name).getJobCounts(...STATES);
    return { name, counts, total: Object.values(counts).reduce((a, b) => a + (b ?? 0), 0) };
  }));
}

export async function jobsIn(queue: string, state: JobType, page: number): Promise<JobView[]> {
  const list = await queueFor(queue).getJobs([state], (page - 1) * PAGE_SIZE, page * PAGE_SIZE - 1, state !== 'waiting' && state !== 'prioritized' ? false : true);
  return list.filter(Boolean).map((j) => jobView(j, state));
}

export async function oneJob(queue: string, id: string): Promise<{ job: BullJob; view: JobView } | undefined> {
  const job = await queueFor(queue).getJob(id);
  if (!job) return undefined;
  const state = await job.getState();
  return { job, view: jobView(job, state) };
}

export interface SchedulerView { queue: string; key: string; name: string; pattern?: string; every?: string; next?: string; tz?: string }

export async function schedulers(queues: string[]): Promise<SchedulerView[]> {
  const out: SchedulerView[] = [];
  for (const queue of queues) {
    for (const s of await queueFor(queue).getJobSchedulers(0, 199, true)) {
      out.push({ queue, key: s.key, name: s.name, pattern: s.pattern ?? undefined, every: s.every ? `${s.every} ms` : undefined, next: iso(s.next), tz: s.tz ?? undefined });
    }
  }
  return out;
}

/** Finished jobs per minute over the last `minutes`, from the completed and failed jobs the queues still keep. */
export async function throughput(queues: string[], minutes = 60, now = Date.now()): Promise<{ start: number; completed: number[]; failed: number[]; sampled: number }> {
  const start = Math.floor(now / 60_000) * 60_000 - (minutes - 1) * 60_000;
  const completed = new Array<number>(minutes).fill(0);
  const failed = new Array<number>(minutes).fill(0);
  let sampled = 0;
  for (const queue of queues) {
    for (const [state, into] of [['completed', completed], ['failed', failed]] as const) {
      const jobs = await queueFor(queue).getJobs([state], 0, 999, false);
      for (const j of jobs) {
        if (!j?.finishedOn || j.finishedOn < start) continue;
        const i = Math.floor((j.finishedOn - start) / 60_000);
        if (i >= 0 && i < minutes) into[i]!++;
        sampled++;
      }
    }
  }
  return { start, completed, failed, sampled };
}
