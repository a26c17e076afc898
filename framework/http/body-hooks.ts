import type { FastifyInstance, RouteOptions } from 'fastify';

/** The hooks a request runs through (not onRoute, onReady, onClose and the like, which run once). */
const REQUEST_HOOKS = new Set(['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onResponse', 'onError', 'onTimeout', 'onRequestAbort']);
/** fastify reads no body on these methods (its `bodyless` set): a route of these alone never has one. */
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);

/**
 * Runs `register` (which registers plugins on `app`) with the request hooks it adds given to the routes that can
 * have a body only (a method other than GET, HEAD, TRACE), as route hooks, instead of to every request.
 *
 * For the storage's multipart support: @fastify/multipart adds an app-wide async `onRequest` (a `close`
 * listener on every response) and `onResponse`, and the storage's own async `preValidation` and cleanup
 * `onResponse`/`onRequestAbort` come on top. A GET never has a multipart body, yet every GET ran the five
 * async hooks: about 30 promises a request, each through the request context's async hooks, some 20,000
 * instructions of a 100,000-instruction `/plaintext` request (docs/performance.md, session 9). The hooks run
 * before the route's own hooks, as app-wide ones did.
 */
export async function requestHooksOnBodyRoutes(app: FastifyInstance, register: () => Promise<void>): Promise<void> {
  const hooks = new Map<string, unknown[]>();
  app.addHook('onRoute', (route: RouteOptions) => {
    if (hooks.size === 0) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => BODYLESS.has(m))) return;
    const own = route as unknown as Record<string, unknown>;
    for (const [name, added] of hooks) {
      const existing = own[name];
      own[name] = [...added, ...(existing === undefined || existing === null ? [] : Array.isArray(existing) ? existing : [existing])];
    }
  });
  const instance = app as unknown as { addHook: (name: string, fn: unknown) => unknown };
  const addHook = instance.addHook;
  instance.addHook = function addRequestHookToBodyRoutes(this: unknown, name: string, fn: unknown) {
    if (!REQUEST_HOOKS.has(name)) return addHook.call(this, name, fn);
    let list = hooks.get(name);
    if (!list) hooks.set(name, (list = []));
    list.push(fn);
    return this;
  };
  try {
    await register();
  } finally {
    instance.addHook = addHook;
  }
}
