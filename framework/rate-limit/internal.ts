/**
 * Rate limits' framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their
 * surfaces"): the cluster primary holds the workers' shared counters (`serveClusterRateLimits`, loading nothing
 * else of rate-limit); the app's boot builds the limits and `stryke routes` describes them, loaded on first call.
 */
export { serveClusterRateLimits } from './cluster-primary';
export type { RateLimiting } from './prepare';
export type { RateLimitSettings } from './config';

type Prepare = typeof import('./prepare');
type Limiter = typeof import('./limiter');
type Duration = typeof import('./duration');

export function prepareRateLimits(...args: Parameters<Prepare['prepareRateLimits']>): ReturnType<Prepare['prepareRateLimits']> {
  return (require('./prepare') as Prepare).prepareRateLimits(...args);
}

export function limitsFor(...args: Parameters<Limiter['limitsFor']>): ReturnType<Limiter['limitsFor']> {
  return (require('./limiter') as Limiter).limitsFor(...args);
}

export function describeWindow(...args: Parameters<Duration['describeWindow']>): ReturnType<Duration['describeWindow']> {
  return (require('./duration') as Duration).describeWindow(...args);
}
