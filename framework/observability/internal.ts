/**
 * The observability concern's framework-only surface: what the app's boot and other concerns wire, which users need not
 * reach. Not a package subpath; see docs/architecture.md, "Concerns and their surfaces".
 */
export { requestIdMixin, withRequestIds } from './logs';
export { tracingRegistered } from './tracing';
export { serveClusterMetrics } from './cluster-metrics';
export { metricsSettings } from './config';
