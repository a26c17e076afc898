import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { performance } from 'node:perf_hooks';
import type { Context, Span } from '@opentelemetry/api';
import { REQUEST_SCOPE, requestScope, runInScope, setRequestScope, type RequestScope } from '../http/internal';
import { UNMATCHED, type StrykeMetrics } from './metrics';
import { SpanKind, SpanStatusCode, activeContext, api, foreignContextManager, tracer } from './tracing';

type ResponseHook = (req: FastifyRequest, reply: FastifyReply, done: () => void) => void;
type AbortHook = (req: FastifyRequest, done: () => void) => void;

/**
 * Hooks for the not-found handler's context only (fastify gives the hooks in setNotFoundHandler's options to that
 * context alone): what counts and traces the requests no route matched, without an app-wide hook that every
 * matched request would run too.
 */
export interface NotFoundHooks {
  onResponse: ResponseHook[];
  onRequestAbort: AbortHook[];
}

/** Appends `hook` to a route's hooks of one kind (as given, a function or an array). */
function appendHook<H>(existing: H | H[] | undefined, hook: H): H[] {
  return existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

const RECORDS = Symbol('stryke.recordsMetrics');

/**
 * Request duration and status counts. Each route gets its own `onResponse` hook, made when the route is
 * registered and holding that route's series, so a request adds to numbers already at hand (no label hashing,
 * no lookup by a string built per request). The requests no route matched are counted by the returned hook, which
 * buildServer gives the not-found handler alone, so a matched request runs no hook but its route's.
 */
export function instrumentHttpMetrics(app: FastifyInstance, m: StrykeMetrics): NotFoundHooks {
  app.addHook('onRoute', (route) => {
    const hooks = route.onResponse === undefined ? [] : Array.isArray(route.onResponse) ? route.onResponse : [route.onResponse];
    if (hooks.some((h) => (h as unknown as Record<symbol, unknown>)[RECORDS])) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const byMethod = new Map(methods.map((method) => [method, m.http.series(method, route.url)]));
    const first = byMethod.values().next().value!;
    const record = (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      // One method (the usual case) is the series at hand; a route of several picks by the request's.
      const s = byMethod.size === 1 ? first : (byMethod.get(req.method) ?? m.http.series(req.method, route.url));
      s.observe(reply.elapsedTime / 1000, reply.statusCode);
      done();
    };
    (record as unknown as Record<symbol, unknown>)[RECORDS] = true;
    route.onResponse = [...hooks, record] as typeof route.onResponse;
  });
  const unmatched = new Map<string, ReturnType<StrykeMetrics['http']['series']>>();
  return {
    onResponse: [(req, reply, done) => {
      let s = unmatched.get(req.method);
      if (!s) unmatched.set(req.method, (s = m.http.series(req.method, UNMATCHED)));
      s.observe(reply.elapsedTime / 1000, reply.statusCode);
      done();
    }],
    onRequestAbort: [],
  };
}

const TRACED = Symbol('stryke.traced');

/** A traced request's scope (framework/http's, which the handler runs in): its context, and its spans until they end. */
interface TracedScope extends RequestScope {
  server: Span | undefined;
  action: Span | undefined;
  /** The spans were ended (an aborted request can reach both onRequestAbort and onResponse: once only). */
  ended: boolean;
}

/** When fastify started on the request, in performance.now() milliseconds (an SDK reads such a start time as that). */
function startedAt(reply: FastifyReply): number {
  return performance.now() - reply.elapsedTime;
}

/** Calls a route's handler with fastify's `this` (a module-level function: no closure per request). */
function callHandler(handler: RouteOptions['handler'], self: unknown, req: FastifyRequest, reply: FastifyReply): unknown {
  return handler.call(self as FastifyInstance, req, reply);
}

/** The server span of a request whose handler never ran (no route matched, a hook answered, the client left). */
function lateServerSpan(req: FastifyRequest, reply: FastifyReply | undefined, route: string): Span {
  return tracer().startSpan(`${req.method} ${route}`, {
    kind: SpanKind.SERVER,
    startTime: reply ? startedAt(reply) : undefined,
    attributes: { 'http.request.method': req.method, 'url.path': req.url.split('?', 1)[0]!, 'http.route': route, 'stryke.request_id': req.id },
  }, foreignContextManager() ? api().context.active() : api().ROOT_CONTEXT);
}

/** Ends a request's spans with its status (starting the server span now when its handler never ran); once. */
function finish(req: FastifyRequest, reply: FastifyReply | undefined, status: number, route: string): void {
  const scope = requestScope(req) as TracedScope | undefined;
  if (scope?.ended) return;
  let server: Span;
  if (scope?.server === undefined) {
    server = lateServerSpan(req, reply, route);
    if (scope) scope.ended = true;
    else setRequestScope(req, { id: req.id, trace: undefined, server: undefined, action: undefined, ended: true } as TracedScope);
  } else {
    scope.ended = true;
    server = scope.server;
    scope.server = undefined;
    if (scope.action !== undefined) {
      if (status >= 500) scope.action.setStatus({ code: SpanStatusCode.ERROR });
      scope.action.end();
      scope.action = undefined;
    }
  }
  if (server.isRecording()) {
    server.setAttribute('http.response.status_code', status);
    if (status >= 500) server.setStatus({ code: SpanStatusCode.ERROR });
  }
  server.end();
}

/**
 * A server span per request (named `GET /posts/:id`) and a child span for the controller action; spans started
 * while the action runs (SQL, job enqueues, the app's own) are the action's children.
 *
 * Each route's handler is wrapped when the route is registered (its pattern, name and action at hand): the wrapper
 * starts both spans (the server span's start time is fastify's, from before the body was read) and runs the
 * handler in the request's scope carrying the action's context: one context switch a request, the same one that
 * carries the request id. The route's own `onResponse` hook ends them. A request whose handler never runs (no
 * route matched, a hook answered first, the client went away) gets its server span when it ends.
 */
export function instrumentHttpTracing(app: FastifyInstance): NotFoundHooks {
  const t = tracer();
  // The request's scope slot exists from the request's construction (no shape change when the wrapper sets it).
  app.decorateRequest(REQUEST_SCOPE as unknown as string, null);
  app.addHook('onRoute', (route) => {
    if ((route.handler as unknown as Record<symbol, unknown>)[TRACED]) return;
    const url = route.url;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const actions = (route.config as { strykeActions?: Record<string, string> } | undefined)?.strykeActions;
    const actionOf = (method: string) => actions?.[method === 'HEAD' ? 'GET' : method];
    // One method (the usual case): the names are made once, here.
    const only = methods.length === 1 ? { name: `${methods[0]} ${url}`, action: actionOf(methods[0]!) } : undefined;
    const handler = route.handler;
    const traced = function (this: unknown, req: FastifyRequest, reply: FastifyReply) {
      // Its spans ended already (the client went away before the handler ran): no new ones.
      const ended = requestScope(req);
      if (ended !== undefined) return runInScope(ended, callHandler, handler, this, req, reply);
      const method = req.method;
      const parent = activeContext();
      const server = t.startSpan(only?.name ?? `${method} ${url}`, {
        kind: SpanKind.SERVER,
        startTime: startedAt(reply),
        attributes: { 'http.request.method': method, 'url.path': req.url.split('?', 1)[0]!, 'http.route': url, 'stryke.request_id': req.id },
      }, parent);
      let ctx: Context = api().trace.setSpan(parent, server);
      const actionName = only ? only.action : actionOf(method);
      let action: Span | undefined;
      // A server span the SDK's sampler dropped has no recorded children either: no action span is made for it.
      if (actionName !== undefined && server.isRecording()) {
        action = t.startSpan(actionName, { kind: SpanKind.INTERNAL, attributes: { 'code.function': actionName } }, ctx);
        ctx = api().trace.setSpan(ctx, action);
      }
      const scope: TracedScope = { id: req.id, trace: ctx, server, action, ended: false };
      setRequestScope(req, scope);
      return runInScope(scope, callHandler, handler, this, req, reply);
    };
    (traced as unknown as Record<symbol, unknown>)[TRACED] = true;
    route.handler = traced as RouteOptions['handler'];
    route.onResponse = appendHook<ResponseHook>(route.onResponse as ResponseHook | ResponseHook[] | undefined, (req, reply, done) => {
      finish(req, reply, reply.statusCode, url);
      done();
    }) as RouteOptions['onResponse'];
    // A client that goes away before the answer still ends its spans.
    route.onRequestAbort = appendHook<AbortHook>(route.onRequestAbort as AbortHook | AbortHook[] | undefined, (req, done) => {
      finish(req, undefined, 499, url);
      done();
    }) as RouteOptions['onRequestAbort'];
  });
  return {
    onResponse: [(req, reply, done) => {
      finish(req, reply, reply.statusCode, UNMATCHED);
      done();
    }],
    onRequestAbort: [(req, done) => {
      finish(req, undefined, 499, UNMATCHED);
      done();
    }],
  };
}
