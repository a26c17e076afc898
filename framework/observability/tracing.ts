import { AsyncLocalStorage } from 'node:async_hooks';
import type * as OtelApi from '@opentelemetry/api';
import type { Attributes, Context, Span, SpanKind as SpanKindType, Tracer } from '@opentelemetry/api';

/**
 * OpenTelemetry spans through the API only: an app (or its SDK setup) registers a TracerProvider and an
 * exporter; without one, `trace.getTracerProvider()` is the API's placeholder and the framework installs
 * no tracing hook at all, so requests, statements and jobs do no tracing work.
 *
 * The current span is carried in the framework's own AsyncLocalStorage (and in the API's context when an
 * SDK registered a context manager), so spans nest without one.
 */
const current = new AsyncLocalStorage<Context>();

/**
 * The API (51 modules) is loaded on first use: an app with no provider registered never loads it. An SDK that
 * registers one has loaded it already.
 */
let apiModule: typeof OtelApi | undefined;
const api = (): typeof OtelApi => (apiModule ??= require('@opentelemetry/api') as typeof OtelApi);

/** The span kinds and status codes (OpenTelemetry's fixed values), without loading the API. */
export const SpanKind = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 } as const satisfies Record<keyof typeof OtelApi.SpanKind & string, number> as unknown as typeof OtelApi.SpanKind;
export const SpanStatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const as unknown as typeof OtelApi.SpanStatusCode;

/**
 * Whether a TracerProvider is registered now. Asked once, at boot. The API keeps what is registered on a global
 * (`Symbol.for('opentelemetry.js.api.1')`): with nothing there no provider can be registered, and the API
 * is not loaded to say so.
 */
export function tracingRegistered(): boolean {
  const global = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  if (!global?.trace) return false;
  const { trace, ProxyTracerProvider } = api();
  const provider = trace.getTracerProvider();
  // The API hands out its proxy either way; unregistered, the proxy's delegate is the API's no-op provider.
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== new ProxyTracerProvider().getDelegate();
}

let tracerCache: Tracer | undefined;
export function tracer(): Tracer {
  return (tracerCache ??= api().trace.getTracer('stryke'));
}

/** Forgets the tracer (a test that registers another provider). */
export function resetTracer(): void {
  tracerCache = undefined;
}

/** The context spans started now descend from. */
export function activeContext(): Context {
  return current.getStore() ?? api().context.active();
}

/** Runs `fn` with `ctx` as the active context (ours, and the API's when a context manager is registered). */
export function withContext<R>(ctx: Context, fn: () => R): R {
  return current.run(ctx, () => api().context.with(ctx, fn));
}

/** Starts a span under the active context. */
export function startSpan(name: string, kind: SpanKindType, attributes: Attributes, parent: Context = activeContext()): { span: Span; ctx: Context } {
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  return { span, ctx: api().trace.setSpan(parent, span) };
}

/** Ends a span as failed with `err`. */
export function failSpan(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  span.end();
}

/** The active span's context as a W3C `traceparent` value, for a job's data. */
export function traceparentOf(ctx: Context): string | undefined {
  const { trace } = api();
  const sc = trace.getSpanContext(ctx);
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 1).toString(16).padStart(2, '0')}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A context whose parent is the (remote) span a `traceparent` names; the root context when it is malformed. */
export function contextFromTraceparent(value: unknown): Context {
  const { ROOT_CONTEXT, trace } = api();
  const m = typeof value === 'string' ? TRACEPARENT.exec(value) : null;
  if (!m) return ROOT_CONTEXT;
  const sc = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true };
  return trace.isSpanContextValid(sc) ? trace.setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT;
}

