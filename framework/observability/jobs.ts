import type { Job as BullJob } from 'bullmq';
import { jobHooks, jobsConfigured, knownQueues, queueFor } from '../jobs';
import { currentRequestId, runInRequest } from '../http/internal';
import { scrapeReaders, type StrykeMetrics } from './metrics';
import { SpanKind, activeContext, contextFromTraceparent, failSpan, startSpan, traceparentOf, withContext } from './tracing';

/** The field of a job's data that carries where it came from: `{ requestId?, traceparent? }`. */
export const ORIGIN = 'stryke';

interface Origin {
  requestId?: string;
  traceparent?: string;
}

export interface JobInstrumentation {
  metrics?: StrykeMetrics;
  tracing: boolean;
}

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * Installs the jobs hooks: the request id (and, when tracing, the trace context) travel in the job's data
 * to the process that performs it, which performs inside them; metrics count enqueues, performs and failures.
 */
export function instrumentJobs(opts: JobInstrumentation): void {
  const { metrics: m, tracing } = opts;
  jobHooks.enqueue = async (queue, name, data, add) => {
    const origin: Origin = {};
    const requestId = currentRequestId();
    if (requestId !== undefined) origin.requestId = requestId;
    if (!tracing) {
      if (requestId !== undefined) data[ORIGIN] = origin;
      const job = await add();
      m?.jobsEnqueued.labels(queue, name).inc();
      return job;
    }
    const { span, ctx } = startSpan(`${name} publish`, SpanKind.PRODUCER, { 'messaging.system': 'bullmq', 'messaging.destination.name': queue, 'messaging.operation.type': 'send' });
    const traceparent = traceparentOf(ctx);
    if (traceparent) origin.traceparent = traceparent;
    data[ORIGIN] = origin;
    try {
      const job = await withContext(ctx, add);
      if (job.id !== undefined) span.setAttribute('messaging.message.id', String(job.id));
      span.end();
      m?.jobsEnqueued.labels(queue, name).inc();
      return job;
    } catch (err) {
      failSpan(span, err);
      throw err;
    }
  };
  jobHooks.perform = (job, queue, run) => {
    const origin = (job.data?.[ORIGIN] ?? {}) as Origin;
    const started = process.hrtime.bigint();
    if (m) {
      const begun = Math.max(job.timestamp ?? 0, (job.timestamp ?? 0) + (job.opts?.delay ?? 0));
      if (begun) m.jobWait.labels(queue, job.name).observe(Math.max(Date.now() - begun, 0) / 1000);
    }
    const traced = tracing
      ? startSpan(`${job.name} process`, SpanKind.CONSUMER, {
        'messaging.system': 'bullmq', 'messaging.destination.name': queue, 'messaging.operation.type': 'process', 'messaging.message.id': String(job.id),
      }, origin.traceparent ? contextFromTraceparent(origin.traceparent) : activeContext())
      : undefined;
    const finish = (outcome: 'completed' | 'failed', err?: unknown) => {
      if (m) {
        m.jobDuration.labels(queue, job.name).observe(Number(process.hrtime.bigint() - started) / 1e9);
        m.jobsPerformed.labels(queue, job.name, outcome).inc();
      }
      if (traced) {
        if (err !== undefined) failSpan(traced.span, err);
        else traced.span.end();
      }
    };
    const go = async () => {
      try {
        const value = await run();
        finish('completed');
        return value;
      } catch (err) {
        finish('failed', err);
        throw err;
      }
    };
    const requestId = typeof origin.requestId === 'string' ? origin.requestId : undefined;
    // One switch: the request id and the perform span's context ride in the same scope.
    if (traced) return withContext(traced.ctx, go, requestId);
    return requestId !== undefined ? runInRequest(requestId, go) : go();
  };
  if (m) scrapeReaders.queues.add(queueDepths);
}

/** Counts by state of each queue the loaded @Job classes use (read at scrape time). */
async function queueDepths(): Promise<Record<string, Record<string, number>>> {
  if (!jobsConfigured()) return {};
  const out: Record<string, Record<string, number>> = {};
  for (const q of knownQueues()) {
    try {
      out[q] = await queueFor(q).getJobCounts(...STATES);
    } catch {
      /* the backend is unreachable now: the series is left out of this scrape */
    }
  }
  return out;
}

/** Removes the hooks (an app that closes). */
export function uninstrumentJobs(): void {
  jobHooks.enqueue = undefined;
  jobHooks.perform = undefined;
  scrapeReaders.queues.delete(queueDepths);
}

export type { BullJob };
