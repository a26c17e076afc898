/**
 * Rate limits' framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their
 * surfaces"): the cluster primary holds the workers' shared counters (`serveClusterRateLimits`, loading nothing
 * else of rate-limit); the app's boot builds the limits and `stryke routes` describes them, on first call.
 */
import { lazyModule } from '../support';
import type * as Duration from './duration';
import type * as Limiter from './limiter';
import type * as Prepare from './prepare';

export { serveClusterRateLimits } from './cluster-primary';
export type { RateLimiting } from './prepare';
export type { RateLimitSettings } from './config';
export const { prepareRateLimits } = lazyModule(() => require('./prepare') as typeof Prepare);
export const { describeWindow } = lazyModule(() => require('./duration') as typeof Duration);
export const { limitsFor } = lazyModule(() => require('./limiter') as typeof Limiter);
