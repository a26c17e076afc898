import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDef } from '../routing/table';
import { CSRF_FIELD, crossSiteOrigin, csrfRequired, verifyToken } from '../security/csrf';
import { SecurityErrors } from '../security/errors';
import type { ActionController } from './controller';
import { RUNTIME, type AppRuntime } from './runtime';

export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function checkCsrf(c: ActionController): void {
  const headers = c.request.headers;
  const origin = crossSiteOrigin(headers);
  if (origin !== undefined) throw SecurityErrors.CSRF_CROSS_SITE(origin);
  if (!csrfRequired(c.request.method, headers)) return;
  const body = c.request.body as Record<string, unknown> | undefined;
  const token = headers['x-csrf-token'] ?? (body && typeof body === 'object' ? body[CSRF_FIELD] : undefined);
  if (!verifyToken(c.session, token)) throw SecurityErrors.CSRF_TOKEN_INVALID();
}

/**
 * Builds one route's handler, once at boot: the controller factory (with its injected services already
 * resolved), the CSRF check when the verb changes state, and the route's before/after filters, each
 * null when empty so a plain route runs only its action.
 */
export function buildHandler(route: RouteDef, runtime: AppRuntime, construct: () => ActionController, csrf: boolean): Handler {
  const action = route.action;
  const before = route.filters.filter((f) => f.kind === 'before').map((f) => f.method);
  const after = route.filters.filter((f) => f.kind === 'after').map((f) => f.method);
  const beforeList = before.length ? before : null;
  const afterList = after.length ? after : null;
  const protect = csrf && !SAFE_METHODS.has(route.method);

  if (!beforeList && !afterList && !protect) {
    // Not async: a synchronous action answers without allocating a promise.
    return function plain(req, reply) {
      const c = construct();
      c.request = req;
      c.reply = reply;
      c[RUNTIME] = runtime;
      const result = (c as any)[action]();
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        return result.then((value: unknown) => c.finish(value));
      }
      return c.finish(result) as any;
    };
  }
  return async function filtered(req, reply) {
    const c = construct();
    c.request = req;
    c.reply = reply;
    c[RUNTIME] = runtime;
    if (protect) checkCsrf(c);
    if (beforeList) {
      for (const m of beforeList) {
        await (c as any)[m]();
        if (reply.sent) return reply; // a filter that responds halts the chain
      }
    }
    const result = await (c as any)[action]();
    if (afterList) for (const m of afterList) await (c as any)[m]();
    return c.finish(result);
  };
}
