import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';

/**
 * OpenTelemetry spans through the API only: an app (or its SDK setup) registers a TracerProvider and an
 * exporter; without one, `trace.getTracerProvider()` is the API's placeholder and the framework installs
 * no tracing hook at all, so requests, statements and jobs do no tracing work.
 *
 * The current span is carried in the framework's own AsyncLocalStorage (and in the API's context when an
 * SDK registered a context manager), so spans nest without one.
 */
const current = new AsyncLocalStorage<Context>();

/** Whether a TracerProvider is registered now. Asked once, at boot. */
export function tracingRegistered(): boolean {
  const provider = trace.getTracerProvider();
  // The API hands out its proxy either way; unregistered, the proxy's delegate is the API's no-op provider.
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

let tracerCache: Tracer | undefined;
export function tracer(): Tracer {
  return (tracerCache ??= trace.getTracer('stryke'));
}

/** Forgets the tracer (a test that registers another provider). */
export function resetTracer(): void {
  tracerCache = undefined;
}

/** The context spans started now descend from. */
export function activeContext(): Context {
  return current.getStore() ?? context.active();
}

/** Runs `fn` with `ctx` as the active context (ours, and the API's when a context manager is registered). */
export function withContext<R>(ctx: Context, fn: () => R): R {
  return current.run(ctx, () => context.with(ctx, fn));
}

/** Starts a span under the active context. */
export function startSpan(name: string, kind: SpanKind, attributes: Attributes, parent: Context = activeContext()): { span: Span; ctx: Context } {
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Ends a span as failed with `err`. */
export function failSpan(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  span.end();
}

/** The active span's context as a W3C `traceparent` value, for a job's data. */
export function traceparentOf(ctx: Context): string | undefined {
  const sc = trace.getSpanContext(ctx);
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 1).toString(16).padStart(2, '0')}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A context whose parent is the (remote) span a `traceparent` names; the root context when it is malformed. */
export function contextFromTraceparent(value: unknown): Context {
  const m = typeof value === 'string' ? TRACEPARENT.exec(value) : null;
  if (!m) return ROOT_CONTEXT;
  const sc = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true };
  return trace.isSpanContextValid(sc) ? trace.setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT;
}

export { SpanKind, SpanStatusCode };
