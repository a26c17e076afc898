import type { AppContainer } from '../di/internal';
import type { Middleware } from '../http';
import type { Constructor } from '../registry';
import type { RouteDef } from '../routing';
import { AppErrors } from './errors';

/**
 * Turns every middleware the routes use into a function, once: a function is used as is; a class with a
 * `handle(request, reply)` method is built by the container (so it can take services) and bound.
 */
export function resolveMiddleware(routes: RouteDef[], container: AppContainer): Map<unknown, Middleware> {
  const out = new Map<unknown, Middleware>();
  for (const route of routes) {
    for (const m of route.middleware) {
      if (out.has(m)) continue;
      if (typeof m === 'function' && typeof (m as any).prototype?.handle === 'function') {
        const Ctor = m as Constructor<{ handle: Middleware }>;
        const instance = new Ctor(...container.argumentsFor(Ctor));
        out.set(m, (req, reply) => instance.handle(req, reply));
      } else if (typeof m === 'function') {
        out.set(m, m as Middleware);
      } else {
        throw AppErrors.BAD_MIDDLEWARE(String(m), route.source);
      }
    }
  }
  return out;
}
