import type { JobJson } from 'bullmq';
import { bullmq } from '../bullmq';

/** A `stryke_jobs` row as the drivers return it. */
export interface JobRow {
  queue: string;
  id: string;
  seq: number;
  name: string;
  state: string;
  data: string;
  opts: string;
  priority: number;
  delay_ms: number;
  attempts_made: number;
  attempts_started: number;
  progress: string | null;
  return_value: string | null;
  failed_reason: string | null;
  stacktrace: string | null;
  deferred_failure: string | null;
  processed_by: string | null;
  added_at: number;
  process_at: number | null;
  processed_at: number | null;
  finished_at: number | null;
  lock_token: string | null;
  locked_until: number | null;
  stalled_count: number;
  dedup_id: string | null;
  scheduler_id: string | null;
}

const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

/** The public JobJson shape `Job.fromJSON` reads (the same one BullMQ's own backends return). */
export function rowToJobJson(row: JobRow): JobJson {
  const json: Record<string, unknown> = {
    id: row.id,
    name: row.name,
    data: row.data ?? '{}',
    opts: JSON.parse(row.opts || '{}'),
    progress: row.progress == null ? 0 : JSON.parse(row.progress),
    attemptsMade: Number(row.attempts_made ?? 0),
    attemptsStarted: Number(row.attempts_started ?? 0),
    finishedOn: num(row.finished_at),
    processedOn: num(row.processed_at),
    timestamp: Number(row.added_at),
    delay: num(row.delay_ms),
    priority: Number(row.priority ?? 0),
    failedReason: row.failed_reason ?? undefined,
    stacktrace: row.stacktrace ?? '[]',
    returnvalue: row.return_value ?? 'null',
    repeatJobKey: row.scheduler_id ?? undefined,
    deduplicationId: row.dedup_id ?? undefined,
    deferredFailure: row.deferred_failure ?? undefined,
    processedBy: row.processed_by ?? undefined,
    stalledCounter: Number(row.stalled_count ?? 0),
  };
  const parent = (json.opts as Record<string, any>).parent as { id?: unknown; queue?: unknown } | undefined;
  if (parent && parent.id != null && parent.queue) {
    json.parent = { id: String(parent.id), queueKey: String(parent.queue) };
    json.parentKey = `${parent.queue}:${parent.id}`;
  }
  for (const k of Object.keys(json)) if (json[k] === undefined) delete json[k];
  return json as unknown as JobJson;
}

/** `removeOnComplete` / `removeOnFail` as retention rules. */
export interface Keep {
  all: boolean;
  age?: number;
  count?: number;
}

export function normalizeKeep(opt: unknown): Keep {
  if (opt === true) return { all: true };
  if (typeof opt === 'number') return { all: false, count: opt };
  if (opt && typeof opt === 'object') {
    const { age, count } = opt as { age?: number; count?: number };
    return { all: false, age, count };
  }
  return { all: false };
}

/** BullMQ's error codes for a job operation that found the job in the wrong shape (same messages as its backends). */
export function jobError(code: -1 | -2 | -3 | -4 | -5 | -6 | -7 | -8 | -9 | -10 | -11, jobId: string, command: string, state = 'active', parentKey?: string): Error {
  const messages: Record<number, string> = {
    [-1]: `Missing key for job ${jobId}. ${command}`,
    [-2]: `Missing lock for job ${jobId}. ${command}`,
    [-3]: `Job ${jobId} is not in the ${state} state. ${command}`,
    [-4]: `Job ${jobId} has pending dependencies. ${command}`,
    [-5]: `Missing key for parent job ${parentKey}. ${command}`,
    [-6]: `Lock mismatch for job ${jobId}. Cmd ${command} from ${state}`,
    [-7]: `The parent job ${parentKey} cannot be replaced. ${command}`,
    [-8]: `Job ${jobId} belongs to a job scheduler and cannot be removed directly. ${command}`,
    [-9]: `Cannot complete job ${jobId} because it has at least one failed child. ${command}`,
    [-10]: `Cannot create job scheduler iteration - job ID already exists. ${command}`,
    [-11]: `Cannot create job scheduler iteration - current and next time slots already have jobs. ${command}`,
  };
  // A parent with a failed child can never complete: BullMQ makes that error unrecoverable (no retries).
  const error = code === -9 ? new (bullmq().UnrecoverableError)(messages[code]) : new Error(messages[code]);
  return Object.assign(error, { code });
}

/** Event fields as a flat `[k, v, k, v]` list, the stream-entry shape QueueEvents parses. */
export function eventFields(event: string, data: string): string[] {
  const fields = ['event', event];
  for (const [k, v] of Object.entries(JSON.parse(data) as Record<string, unknown>)) fields.push(k, typeof v === 'string' ? v : String(v));
  return fields;
}
