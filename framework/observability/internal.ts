/**
 * The observability concern's framework-only surface: what the app's boot and other concerns wire, which users need not
 * reach. Not a package subpath; see docs/architecture.md, "Concerns and their surfaces".
 */
import { lazyModule } from '../support';
import type * as ClusterMetrics from './cluster-metrics';

export { requestIdMixin, withRequestIds } from './logs';
export { tracingRegistered } from './tracing';
// `stryke start`'s primary reads metricsSettings; the metrics endpoint (prom-client's registry) loads only when it serves one.
export const { serveClusterMetrics } = lazyModule(() => require('./cluster-metrics') as typeof ClusterMetrics);
export { metricsSettings } from './config';
