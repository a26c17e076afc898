/**
 * stryke/observability: Prometheus metrics (prom-client), OpenTelemetry spans (through the API: an app
 * registers the SDK) and request ids in every log line. Booted by createApp; see docs/observability.md.
 */
import cluster from 'node:cluster';
import { fastifyRequire } from '../support';
import { isLoaded } from '../support';
import type { Server } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { metricsSettings, type MetricsSettings } from './config';
import { strykeMetrics, type StrykeMetrics } from './metrics';
import { instrumentHttpMetrics, instrumentHttpTracing, type NotFoundHooks } from './http';
import { debugEnabled, instrumentDatabase } from './sql';
import { serveMetrics } from './metrics-server';
import { answerPrimaryScrapes } from './cluster-metrics';
import { installContextManager, tracingRegistered } from './tracing';
import { requestIdMixin } from './logs';

export type { MetricsSettings } from './config';
export { ObservabilityErrors } from './errors';
/** The jobs hooks (request id, trace context, metrics) for a process that performs jobs without booting an app. */
export function instrumentJobs(opts: import('./jobs').JobInstrumentation): void {
  (require('./jobs') as typeof import('./jobs')).instrumentJobs(opts);
}
export { UNMATCHED } from './metrics';
export { StrykeContextManager } from './tracing';
export type { NotFoundHooks } from './http';

/**
 * `stryke jobs work`: the job hooks (request id, trace context and, with `[metrics] enabled`, the job series and
 * queue depths) and the metrics listener on `[metrics] jobs_port`. Returns what to close at the end.
 */
export async function observeJobWorker(server: Record<string, any> | undefined): Promise<{ address: string | undefined; close(): Promise<void> }> {
  const settings = metricsSettings(server);
  const m = settings.enabled ? strykeMetrics() : undefined;
  const jobs = require('./jobs') as typeof import('./jobs');
  const tracing = tracingRegistered();
  if (tracing) installContextManager();
  jobs.instrumentJobs({ metrics: m, tracing });
  const listener = m ? await serveMetrics({ ...settings, port: settings.jobsPort }, () => m.registry.metrics(), m.registry.contentType) : undefined;
  const a = listener?.address();
  const address = a && typeof a === 'object' ? `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}${settings.path}` : undefined;
  return {
    address,
    async close() {
      jobs.uninstrumentJobs();
      if (!listener) return;
      listener.closeAllConnections();
      await new Promise<void>((done) => listener.close(() => done()));
    },
  };
}

let appLog: FastifyBaseLogger | undefined;

/**
 * The booted app's logger (pino), for code outside a controller: a job, a service. A line logged while
 * code runs for a request, or in a job that request enqueued, carries its `reqId`. In a process with no
 * app booted (`stryke jobs work`), a pino logger writing JSON lines to stdout at info level.
 */
export function log(): FastifyBaseLogger {
  if (!appLog) {
    const pino = fastifyRequire('pino') as (o: object) => FastifyBaseLogger;
    appLog = pino({ level: process.env.STRYKE_LOG_LEVEL ?? 'info', mixin: requestIdMixin });
  }
  return appLog;
}

/** What createApp wires: one per app. */
export interface Observability {
  readonly metrics: MetricsSettings;
  readonly tracing: boolean;
  /**
   * Called by buildServer before any route is registered: the HTTP hooks (none when both are off). Returns the hooks
   * for the not-found handler's options (the requests no route matched).
   */
  instrumentServer(app: FastifyInstance): NotFoundHooks;
  /** The database's statements and the jobs layer (when the app uses jobs). */
  instrumentData(db: Parameters<typeof instrumentDatabase>[0], log: FastifyBaseLogger, jobs: boolean): void;
  /** After the app listens: the metrics port (one process), or answering the primary (`stryke start`). */
  listen(): Promise<void>;
  /** The metrics listener's address (`http://127.0.0.1:9394/metrics`), when this process serves one. */
  address(): string | undefined;
  close(): Promise<void>;
}

/**
 * Reads `[metrics]` and asks once whether a TracerProvider is registered: with metrics off and no provider,
 * no hook is installed and requests, statements and jobs do no observability work.
 */
export function setupObservability(server: Record<string, any> | undefined): Observability {
  const settings = metricsSettings(server);
  const tracing = tracingRegistered();
  if (tracing) installContextManager();
  const m: StrykeMetrics | undefined = settings.enabled ? strykeMetrics() : undefined;
  let listener: Server | undefined;
  let jobsInstrumented = false;
  return {
    metrics: settings,
    tracing,
    instrumentServer(app) {
      const notFound: NotFoundHooks = { onResponse: [], onRequestAbort: [] };
      for (const hooks of [m ? instrumentHttpMetrics(app, m) : undefined, tracing ? instrumentHttpTracing(app) : undefined]) {
        if (!hooks) continue;
        notFound.onResponse.push(...hooks.onResponse);
        notFound.onRequestAbort.push(...hooks.onRequestAbort);
      }
      return notFound;
    },
    instrumentData(db, log, jobs) {
      appLog = log;
      if (m || tracing || debugEnabled(log)) instrumentDatabase(db, { metrics: m, tracing, log });
      // The app's jobs, or any the process loaded (a script that configures jobs itself).
      if (jobs || isLoaded('jobs')) {
        // The request id always travels into jobs (their log lines carry it); metrics and spans when on.
        (require('./jobs') as typeof import('./jobs')).instrumentJobs({ metrics: m, tracing });
        jobsInstrumented = true;
      }
    },
    async listen() {
      if (!m) return;
      if (cluster.isWorker) {
        // Under `stryke start` the primary serves the port; `stryke dev` workers serve none.
        if (process.env.STRYKE_DEV_WORKER !== '1') answerPrimaryScrapes();
        return;
      }
      listener = await serveMetrics(settings, () => m.registry.metrics(), m.registry.contentType);
    },
    address() {
      const a = listener?.address();
      if (!a || typeof a === 'string') return undefined;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      return `http://${host}:${a.port}${settings.path}`;
    },
    async close() {
      if (jobsInstrumented) (require('./jobs') as typeof import('./jobs')).uninstrumentJobs();
      if (listener) {
        const l = listener;
        listener = undefined;
        l.closeAllConnections();
        await new Promise<void>((done) => l.close(() => done()));
      }
    },
  };
}
