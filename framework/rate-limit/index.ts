/**
 * Rate limits (`stryke/rate-limit`): an app-wide limit per client address (`[rate_limit]` in config/server.toml) and
 * `@RateLimit` on controllers and actions, counted in-process, across `stryke start`'s workers, or in Redis. See
 * docs/rate-limits.md. What the app's boot, the cluster primary and `stryke routes` need is in ./internal.ts.
 */
export { RateLimit, type RateLimitOptions } from './decorator';
export { setRateLimitUserResolver, type RateLimitUserResolver } from './identity';
export { RateLimitErrors } from './errors';
