import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context, Span } from '@opentelemetry/api';
import { UNMATCHED, type StrykeMetrics } from './metrics';
import { SpanKind, SpanStatusCode, startSpan, withContext } from './tracing';

/** The route's pattern (`/posts/:id`), never the requested URL; every request no route matched shares one label. */
function routeOf(req: FastifyRequest): string {
  return req.routeOptions?.url ?? UNMATCHED;
}

/** Per method and route, the histogram child and the counter children by status, looked up once. */
interface RouteSeries {
  observe(seconds: number): void;
  byStatus: Map<number, { inc(): void }>;
}

/** Request duration and status counts, in one `onResponse` hook. */
export function instrumentHttpMetrics(app: FastifyInstance, m: StrykeMetrics): void {
  const series = new Map<string, RouteSeries>();
  app.addHook('onResponse', (req, reply, done) => {
    const route = routeOf(req);
    const key = req.method + ' ' + route;
    let s = series.get(key);
    if (!s) {
      const h = m.httpDuration.labels(req.method, route);
      s = { observe: (v) => h.observe(v), byStatus: new Map() };
      series.set(key, s);
    }
    const status = reply.statusCode;
    let c = s.byStatus.get(status);
    if (!c) {
      c = m.httpResponses.labels(req.method, route, String(status));
      s.byStatus.set(status, c);
    }
    s.observe(reply.elapsedTime / 1000);
    c.inc();
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
