import { registry } from '../registry';
import { callSite } from '../registry';
import { parseDuration } from './duration';
import { RateLimitErrors } from './errors';

export interface RateLimitOptions {
  /** Requests allowed in each window. */
  max: number;
  /** The window: seconds (`60`) or a duration (`'1 minute'`, `'15 minutes'`, `'10s'`). */
  per: number | string;
  /**
   * Whom the counter belongs to: the client's address (`'ip'`, the default), or the signed-in user
   * (`'user'`: the id the authentication concern resolves, the address when nobody is signed in).
   */
  by?: 'ip' | 'user';
  /** Share one counter between every declaration with this name (default: the controller, or controller#action). */
  name?: string;
}

/**
 * Limits how often a client may call an action (on a method) or the actions of a controller (on the
 * class: one counter for all of them). Over the limit the request answers 429 with `Retry-After`,
 * through the app's error pages. Every way to reach the action counts against the same limit: the
 * `.json` suffix, HEAD for GET, and a form's `_method`.
 * @example
 * @RateLimit({ max: 5, per: '1 minute' })
 * @Post('/') async create() { ... }   // sign-in: five tries a minute per address
 */
export function RateLimit(options: RateLimitOptions): ClassDecorator & MethodDecorator {
  return ((target: any, property?: string | symbol) => {
    const owner = property === undefined ? target : target.constructor;
    const source = callSite();
    const max = options?.max;
    if (!Number.isInteger(max) || max < 1) throw RateLimitErrors.BAD_DECLARATION(source, `max must be a whole number of requests, at least 1 (got ${JSON.stringify(max)}).`);
    const per = parseDuration(options.per);
    if (per === undefined) throw RateLimitErrors.BAD_DECLARATION(source, `per must be seconds (60) or a duration such as '1 minute', '15 minutes', '10s' (got ${JSON.stringify(options.per)}).`);
    const by = options.by ?? 'ip';
    if (by !== 'ip' && by !== 'user') throw RateLimitErrors.BAD_DECLARATION(source, `by must be 'ip' or 'user' (got ${JSON.stringify(options.by)}).`);
    if (options.name !== undefined && (typeof options.name !== 'string' || !/^[\w:./#-]+$/.test(options.name))) {
      throw RateLimitErrors.BAD_DECLARATION(source, `name must be letters, digits and _:./#- (got ${JSON.stringify(options.name)}).`);
    }
    const decl = registry.controller(owner);
    (decl.rateLimits ??= []).push({
      max, per, by, name: options.name, action: property === undefined ? undefined : String(property), source,
    });
  }) as ClassDecorator & MethodDecorator;
}
