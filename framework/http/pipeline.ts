import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDef } from '../routing';
import { CSRF_FIELD, crossSiteOrigin, csrfRequired, verifyToken } from '../security';
import { SecurityErrors } from '../security';
import { authStep } from '../auth/internal';
import { writeBaseHeaders } from './headers';
import type { ActionController } from './controller';
import { validateBody } from './dto';
import { HttpErrors } from './errors';
import { paramCaster } from './route-params';
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
/**
 * Two Host headers make the host ambiguous (node keeps the first, a proxy may have routed on the other):
 * refused with 400. Node folds duplicate Host lines away, so the raw header list is where they show.
 */
export function checkSingleHost(req: FastifyRequest): void {
  const raw = req.raw.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // The usual spellings first: lower-casing each request's Host name cost about 150 instructions.
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host') && ++seen > 1) throw HttpErrors.DUPLICATE_HOST();
  }
}

/**
 * Builds one route's whole chain, once at boot; every way to reach the action (its path, the `.json`
 * suffix, HEAD for a GET, a POST form's `_method` tunnel) runs this one function, so none can skip a step.
 * Order: typed path parameters, the route's middleware (`@Use`; one that responds halts), the CSRF check
 * when the verb changes state, the auth step in an app with an authenticator (`@RequireAuth()` turns the
 * request away here), the body DTO, before filters (a filter that responds halts), around filters
 * (outermost first) wrapping the action, after filters. Each step is left out when the route has none, so
 * a plain route runs only its action.
 */
export function buildHandler(route: RouteDef, runtime: AppRuntime, construct: () => ActionController, csrf: boolean, middleware: Middleware[] = []): Handler {
  const action = route.action;
  const { before, around, after } = route.filters;
  const protect = csrf && !SAFE_METHODS.has(route.method);
  const dto = route.body;
  const headers = runtime.headers;
  const castParams = paramCaster(route.params);
  const uses = middleware.length ? middleware : null;
  const auth = authStep(route.auth, runtime.auth);

  const filtered: Handler = async function filtered(req, reply) {
    writeBaseHeaders(headers, req, reply);
    checkSingleHost(req);
    if (castParams) castParams(req);
    if (uses) {
      for (const m of uses) {
        await m(req, reply);
        if (reply.sent) return reply; // a middleware that responds halts the chain
      }
    }
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
  if (!before && !around && !after && !protect && !dto && !uses && !castParams && (auth === null || optionalUser)) {
    // Not async: a synchronous action answers without allocating a promise.
    return function plain(req, reply) {
      if (optionalUser && req.headers.cookie !== undefined) return filtered(req, reply);
      writeBaseHeaders(headers, req, reply);
      checkSingleHost(req);
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
