import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HttpSeries } from './http-series';

/**
 * The framework's Prometheus series, registered once per process on prom-client's global registry (which
 * is what `stryke start`'s primary collects from each worker; see cluster-metrics.ts). prom-client is
 * required only when `[metrics] enabled = true`.
 */
export interface StrykeMetrics {
  registry: Registry;
  /** Request durations and status counts per route, kept as plain numbers (see http-series.ts). */
  http: HttpSeries;
  sqlDuration: Histogram<'statement'>;
  sqlErrors: Counter<'statement'>;
  poolClients: Gauge<'state'>;
  jobsEnqueued: Counter<'queue' | 'job'>;
  jobDuration: Histogram<'queue' | 'job'>;
  jobWait: Histogram<'queue' | 'job'>;
  jobsPerformed: Counter<'queue' | 'job' | 'outcome'>;
  queueDepth: Gauge<'queue' | 'state'>;
}

let metrics: StrykeMetrics | undefined;

/** What the scrape-time gauges read: each booted app adds its database pool and its job queues. */
export const scrapeReaders = {
  pools: new Set<() => Record<string, number>>(),
  queues: new Set<() => Promise<Record<string, Record<string, number>>>>(),
};

/** The label of a request that matched no route: every 404 shares it, so a scan of random URLs adds no series. */
export const UNMATCHED = '(unmatched)';

export function promClient(): typeof import('prom-client') {
  return require('prom-client') as typeof import('prom-client');
}

/** Creates (once) the series and prom-client's default process metrics (event-loop lag, GC, memory, CPU). */
export function strykeMetrics(): StrykeMetrics {
  if (metrics) return metrics;
  const prom = promClient();
  const registry = prom.register;
  prom.collectDefaultMetrics({ register: registry });
  const sqlBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  const http = new HttpSeries([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  // Registered as prom-client registers its own: the registry and the cluster's aggregation read them alike.
  registry.registerMetric(http.durationMetric('stryke_http_request_duration_seconds', 'Time to answer a request, by route pattern') as never);
  registry.registerMetric(http.responsesMetric('stryke_http_responses_total', 'Responses sent, by route pattern and status') as never);
  metrics = {
    registry,
    http,
    sqlDuration: new prom.Histogram({ name: 'stryke_sql_statement_duration_seconds', help: 'SQL statement time, by statement kind', labelNames: ['statement'], buckets: sqlBuckets }),
    sqlErrors: new prom.Counter({ name: 'stryke_sql_statement_errors_total', help: 'SQL statements that failed, by statement kind', labelNames: ['statement'] }),
    poolClients: new prom.Gauge({
      name: 'stryke_db_pool_clients', help: 'Database pool connections by state (PostgreSQL and MySQL/MariaDB), read at scrape time', labelNames: ['state'],
      collect() {
        this.reset();
        for (const read of scrapeReaders.pools) for (const [state, n] of Object.entries(read())) this.inc({ state }, n);
      },
    }),
    jobsEnqueued: new prom.Counter({ name: 'stryke_jobs_enqueued_total', help: 'Jobs enqueued by this process', labelNames: ['queue', 'job'] }),
    jobDuration: new prom.Histogram({
      name: 'stryke_job_duration_seconds', help: 'Time a job took to perform', labelNames: ['queue', 'job'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    }),
    jobWait: new prom.Histogram({
      name: 'stryke_job_wait_seconds', help: 'Time from enqueue (or its scheduled time) to the start of perform', labelNames: ['queue', 'job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800],
    }),
    jobsPerformed: new prom.Counter({ name: 'stryke_jobs_performed_total', help: 'Jobs performed, by outcome (completed or failed)', labelNames: ['queue', 'job', 'outcome'] }),
    queueDepth: new prom.Gauge({
      name: 'stryke_job_queue_depth', help: 'Jobs in each queue by state, read at scrape time', labelNames: ['queue', 'state'],
      // Every worker reads the same queues: the cluster's value is any one worker's, not their sum.
      aggregator: 'max',
      async collect() {
        this.reset();
        for (const read of scrapeReaders.queues) for (const [queue, counts] of Object.entries(await read())) for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
      },
    }),
  };
  return metrics;
}

/** The kind of a statement for its label: its first keyword (`SELECT`, `INSERT`...), never its text. */
export function statementKind(sql: string): string {
  const m = /^\s*([A-Za-z]+)/.exec(sql);
  const word = m ? m[1]!.toUpperCase() : 'OTHER';
  return KINDS.has(word) ? word : 'OTHER';
}
const KINDS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'WITH', 'BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'CREATE', 'ALTER', 'DROP', 'PRAGMA', 'SET', 'SHOW']);
