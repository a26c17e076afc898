import type { Server } from 'node:http';
import type { MetricsSettings } from './config';
import { serveMetrics } from './metrics-server';
import { promClient } from './metrics';

/**
 * `stryke start`: the primary serves the metrics port and answers each scrape with every worker's registry
 * merged (prom-client's AggregatorRegistry asks each worker over the cluster's IPC channel; counters and
 * histograms are summed, queue depth takes the largest). Workers keep no port of their own.
 */
export function serveClusterMetrics(settings: MetricsSettings): Promise<Server> {
  const { AggregatorRegistry } = promClient();
  const aggregator = new AggregatorRegistry();
  return serveMetrics(settings, () => aggregator.clusterMetrics(), aggregator.contentType);
}

let answering = false;
/** In a `stryke start` worker: answer the primary's requests for this process's metrics. */
export function answerPrimaryScrapes(): void {
  if (answering) return;
  answering = true;
  const { AggregatorRegistry } = promClient();
  // Constructing one installs prom-client's listener for the primary's requests (idempotent).
  void new AggregatorRegistry();
}
