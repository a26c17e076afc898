import type { FastifyRequest } from 'fastify';

/** Returns the signed-in user's id for a request, or null/undefined when nobody is signed in. */
export type RateLimitUserResolver = (req: FastifyRequest) => string | number | null | undefined | Promise<string | number | null | undefined>;

const KEY = Symbol.for('stryke.rateLimitUser');

/**
 * Tells `@RateLimit({ by: 'user' })` who is signed in, for every app in the process: without it each app asks
 * its own @Authenticator (given to `prepareRateLimits` at boot). When neither answers (null/undefined), the
 * counter falls back to the client's address. The last registered wins; pass undefined to remove it.
 */
export function setRateLimitUserResolver(resolver: RateLimitUserResolver | undefined): void {
  (globalThis as any)[KEY] = resolver;
}

export function rateLimitUserResolver(): RateLimitUserResolver | undefined {
  return (globalThis as any)[KEY];
}
