import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDef } from '../routing/table';
import { CSRF_FIELD, crossSiteOrigin, csrfRequired, verifyToken } from '../security/csrf';
import { SecurityErrors } from '../security/errors';
import { authStep } from '../auth/guard';
import { writeBaseHeaders } from '../security/headers';
import type { ActionController } from './controller';
import { validateBody } from './dto';
import { RUNTIME, type AppRuntime } from './runtime';

export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function checkCsrf(c: ActionController): void {
  const headers = c.request.headers;
  const origin = crossSiteOrigin(headers);
  if (origin !== undefined) throw SecurityErrors.CSRF_CROSS_SITE(origin);
  if (!csrfRequired(c.request.method, headers, c.requestContentType)) return;
  const body = c.request.body as Record<string, unknown> | undefined;
  const token = headers['x-csrf-token'] ?? (body && typeof body === 'object' ? body[CSRF_FIELD] : undefined);
  if (!verifyToken(c.session, token)) throw SecurityErrors.CSRF_TOKEN_INVALID();
}

/**
 * Builds one route's handler, once at boot: the controller factory (with its injected services already
 * resolved), the CSRF check when the verb changes state, the auth step (in an app with an authenticator),
 * and the route's filters, each null when empty, so a plain route runs only its action. Order: CSRF
 * check, auth (`@RequireAuth()` turns the request away here), before filters (a filter that responds
 * halts), around filters (outermost first) wrapping the action, after filters.
 */
export function buildHandler(route: RouteDef, runtime: AppRuntime, construct: () => ActionController, csrf: boolean): Handler {
  const action = route.action;
  const { before, around, after } = route.filters;
  const protect = csrf && !SAFE_METHODS.has(route.method);
  const dto = route.body;
  const headers = runtime.headers;
  const auth = authStep(route.auth, runtime.auth);

  const filtered: Handler = async function filtered(req, reply) {
    writeBaseHeaders(headers, req, reply);
    const c = construct();
    c.request = req;
    c.reply = reply;
    c[RUNTIME] = runtime;
    if (protect) checkCsrf(c);
    if (auth) {
      await auth(c);
      if (c.responded) return reply; // sent to the sign-in page
    }
    if (dto) c.body = await validateBody(dto, req.body);
    if (before) {
      for (const m of before) {
        await (c as any)[m]();
        if (c.responded) return reply; // a filter that responds halts the chain
      }
    }
    let result: unknown;
    if (around) {
      let run = async () => (result = await (c as any)[action]());
      for (let i = around.length - 1; i >= 0; i--) {
        const inner = run;
        const m = around[i]!;
        run = async () => (c as any)[m](inner);
      }
      await run();
    } else {
      result = await (c as any)[action]();
    }
    if (after) for (const m of after) await (c as any)[m]();
    return c.finish(result);
  };
  // A route that needs no user (the app has an authenticator) resolves one only for a request with a
  // cookie: without one it stays on the plain path.
  const optionalUser = auth !== null && route.auth !== 'require';
  if (!before && !around && !after && !protect && !dto && (auth === null || optionalUser)) {
    // Not async: a synchronous action answers without allocating a promise.
    return function plain(req, reply) {
      if (optionalUser && req.headers.cookie !== undefined) return filtered(req, reply);
      writeBaseHeaders(headers, req, reply);
      const c = construct();
      c.request = req;
      c.reply = reply;
      c[RUNTIME] = runtime;
      const result = (c as any)[action]();
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        return result.then((value: unknown) => c.finish(value));
      }
      // The reply itself (a thenable) would cost fastify a wrapper: undefined says "answered here".
      const out = c.finish(result);
      return (out === reply ? undefined : out) as any;
    };
  }
  return filtered;
}

export type Middleware = (req: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * Wraps a middleware as a fastify preHandler hook: it runs before the action, and one that sends a
 * reply stops the request there.
 */
export function middlewareHook(fn: Middleware) {
  return async function stryke_middleware(req: FastifyRequest, reply: FastifyReply) {
    await fn(req, reply);
    if (reply.sent) return reply;
  };
}
