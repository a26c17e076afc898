/**
 * The request series (duration histogram and status counts by method and route) kept in plain numbers per
 * route and handed to prom-client only when scraped. prom-client's own Histogram and Counter hash their label
 * values on every observation, even through a child from `labels()`; here a request adds to numbers its route
 * already holds: no hashing, no string built, no object allocated (see docs/observability.md for what it costs).
 *
 * The two objects registered in prom-client's registry answer `get()` as prom-client's own metrics do, so the
 * registry's text format and the cluster primary's AggregatorRegistry (which sums them across workers) treat
 * them as any histogram and counter.
 */

/** One method of one route (or every unmatched request): bucket counts, sum, count, and the count per status. */
export class RouteSeries {
  /** Observations per bucket (not cumulative); the last slot is above the largest bound. */
  readonly buckets: Float64Array;
  sum = 0;
  count = 0;
  /** Status codes seen, and beside them how many responses had each. */
  readonly statuses: number[] = [];
  readonly statusCounts: number[] = [];

  constructor(readonly method: string, readonly route: string, private readonly bounds: readonly number[]) {
    this.buckets = new Float64Array(bounds.length + 1);
  }

  observe(seconds: number, status: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    this.buckets[i]!++;
    this.sum += seconds;
    this.count++;
    const statuses = this.statuses;
    for (let j = 0; j < statuses.length; j++) {
      if (statuses[j] === status) {
        this.statusCounts[j]!++;
        return;
      }
    }
    statuses.push(status);
    this.statusCounts.push(1);
  }

  reset(): void {
    this.buckets.fill(0);
    this.sum = 0;
    this.count = 0;
    this.statuses.length = 0;
    this.statusCounts.length = 0;
  }
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** The per-route series of one process, and the two prom-client metrics that read them at scrape time. */
export class HttpSeries {
  private readonly all: RouteSeries[] = [];
  private readonly byKey = new Map<string, RouteSeries>();

  constructor(readonly bounds: readonly number[]) {}

  /** The series of `method` on `route` (the route's pattern), made once: look it up at boot, not per request. */
  series(method: string, route: string): RouteSeries {
    const key = `${method} ${route}`;
    let s = this.byKey.get(key);
    if (!s) {
      s = new RouteSeries(method, route, this.bounds);
      this.byKey.set(key, s);
      this.all.push(s);
    }
    return s;
  }

  /** `stryke_http_request_duration_seconds` as prom-client's registry reads a metric. */
  durationMetric(name: string, help: string): ScrapedMetric {
    const values = (): MetricValue[] => {
      const out: MetricValue[] = [];
      for (const s of this.all) {
        if (s.count === 0) continue;
        const labels = { method: s.method, route: s.route };
        let acc = 0;
        for (let i = 0; i < this.bounds.length; i++) {
          acc += s.buckets[i]!;
          out.push({ value: acc, labels: { le: this.bounds[i]!, ...labels }, metricName: `${name}_bucket` });
        }
        out.push({ value: s.count, labels: { le: '+Inf', ...labels }, metricName: `${name}_bucket` });
        out.push({ value: s.sum, labels, metricName: `${name}_sum` });
        out.push({ value: s.count, labels, metricName: `${name}_count` });
      }
      return out;
    };
    return new ScrapedMetric(name, help, 'histogram', values, () => this.all.forEach((s) => s.reset()));
  }

  /** `stryke_http_responses_total` (by method, route and status) as prom-client's registry reads a metric. */
  responsesMetric(name: string, help: string): ScrapedMetric {
    const values = (): MetricValue[] => {
      const out: MetricValue[] = [];
      for (const s of this.all) {
        for (let j = 0; j < s.statuses.length; j++) {
          out.push({ value: s.statusCounts[j]!, labels: { method: s.method, route: s.route, status: String(s.statuses[j]) } });
        }
      }
      return out;
    };
    return new ScrapedMetric(name, help, 'counter', values, () => this.all.forEach((s) => s.reset()));
  }
}

/**
 * A metric prom-client's Registry can hold (`registerMetric`): it reads `name`, `help`, `type` and `get()`,
 * and the cluster's AggregatorRegistry reads `aggregator` ('sum': each worker's counts add up).
 */
export class ScrapedMetric {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'histogram' | 'counter',
    private readonly values: () => MetricValue[],
    private readonly clear: () => void,
  ) {}

  async get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: string }> {
    return { name: this.name, help: this.help, type: this.type, values: this.values(), aggregator: this.aggregator };
  }

  reset(): void {
    this.clear();
  }
}
