/**
 * Rate limits' framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their
 * surfaces"): the cluster primary holds the workers' shared counters, loading nothing else of rate-limit.
 */
export { serveClusterRateLimits } from './cluster-primary';
