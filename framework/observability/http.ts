import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context, Span } from '@opentelemetry/api';
import { UNMATCHED, type StrykeMetrics } from './metrics';
import { SpanKind, SpanStatusCode, startSpan, withContext } from './tracing';

/** The route's pattern (`/posts/:id`), never the requested URL; every request no route matched shares one label. */
function routeOf(req: FastifyRequest): string {
  return req.routeOptions?.url ?? UNMATCHED;
}

const RECORDS = Symbol('stryke.recordsMetrics');

/**
 * Request duration and status counts. Each route gets its own `onResponse` hook, made when the route is
 * registered and holding that route's series, so a request adds to numbers already at hand (no label hashing,
 * no lookup by a string built per request); one app-wide hook counts the requests no route matched.
 */
export function instrumentHttpMetrics(app: FastifyInstance, m: StrykeMetrics): void {
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
  app.addHook('onResponse', (req, reply, done) => {
    if (req.is404) {
      let s = unmatched.get(req.method);
      if (!s) unmatched.set(req.method, (s = m.http.series(req.method, UNMATCHED)));
      s.observe(reply.elapsedTime / 1000, reply.statusCode);
    }
    done();
  });
}

const SPANS = Symbol('stryke.spans');
interface RequestSpans {
  server: Span;
  serverCtx: Context;
  action?: Span;
}

/** The action that answers this request, as the request log names it (`PostsController#show`). */
function actionOf(req: FastifyRequest): string | undefined {
  const actions = (req.routeOptions?.config as { strykeActions?: Record<string, string> } | undefined)?.strykeActions;
  return actions?.[req.method === 'HEAD' ? 'GET' : req.method];
}

/**
 * A server span per request (named `GET /posts/:id` once routed) and a child span for the controller action;
 * spans started while the action runs (SQL, job enqueues) are the action's children.
 */
export function instrumentHttpTracing(app: FastifyInstance): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const { span, ctx } = startSpan(`${req.method}`, SpanKind.SERVER, {
      'http.request.method': req.method,
      'url.path': req.url.split('?', 1)[0]!,
      'stryke.request_id': req.id,
    });
    (req as unknown as Record<symbol, RequestSpans>)[SPANS] = { server: span, serverCtx: ctx };
    withContext(ctx, done);
  });
  app.addHook('preHandler', (req, _reply, done) => {
    const spans = (req as unknown as Record<symbol, RequestSpans | undefined>)[SPANS];
    const action = actionOf(req);
    if (!spans || !action) return done();
    const { span, ctx } = startSpan(action, SpanKind.INTERNAL, { 'code.function': action }, spans.serverCtx);
    spans.action = span;
    withContext(ctx, done);
  });
  const finish = (req: FastifyRequest, reply: FastifyReply) => {
    const spans = (req as unknown as Record<symbol, RequestSpans | undefined>)[SPANS];
    if (!spans) return;
    (req as unknown as Record<symbol, RequestSpans | undefined>)[SPANS] = undefined;
    const route = routeOf(req);
    const status = reply.statusCode;
    if (spans.action) {
      if (status >= 500) spans.action.setStatus({ code: SpanStatusCode.ERROR });
      spans.action.end();
    }
    spans.server.updateName(`${req.method} ${route}`);
    spans.server.setAttribute('http.route', route);
    spans.server.setAttribute('http.response.status_code', status);
    if (status >= 500) spans.server.setStatus({ code: SpanStatusCode.ERROR });
    spans.server.end();
  };
  app.addHook('onResponse', (req, reply, done) => {
    finish(req, reply);
    done();
  });
  // A client that goes away before the answer still ends its spans.
  app.addHook('onRequestAbort', (req, done) => {
    finish(req, { statusCode: 499 } as FastifyReply);
    done();
  });
}
