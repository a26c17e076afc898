import type * as OtelApi from '@opentelemetry/api';
import type { Attributes, Context, ContextManager, Span, SpanKind as SpanKindType, Tracer } from '@opentelemetry/api';
import type { RequestScope } from '../http/internal';

/**
 * OpenTelemetry spans through the API only: an app (or its SDK setup) registers a TracerProvider and an
 * exporter; without one, `trace.getTracerProvider()` is the API's placeholder and the framework installs
 * no tracing hook at all, so requests, statements and jobs do no tracing work.
 *
 * The current trace context rides in the framework's request scope (framework/http's one AsyncLocalStorage,
 * beside the request id), so spans nest with one context switch a request. When no context manager is
 * registered at boot, the framework registers StrykeContextManager, which reads and switches that same store, so
 * an app's own spans (`tracer.startActiveSpan` in an action) nest too. When the app registered another one (the
 * SDK's AsyncLocalStorageContextManager), the framework switches both: it works, at the price of a second store
 * (pass `contextManager: new StrykeContextManager()` to the SDK to avoid it).
 */
/**
 * The API (51 modules) is loaded on first use: an app with no provider registered never loads it. An SDK that
 * registers one has loaded it already.
 */
let apiModule: typeof OtelApi | undefined;
export const api = (): typeof OtelApi => (apiModule ??= require('@opentelemetry/api') as typeof OtelApi);

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

/**
 * framework/http's request scope, loaded when tracing is installed (a cluster primary loads this module for
 * `tracingRegistered` and never serves HTTP).
 */
type HttpModule = typeof import('../http/internal');
let httpModule: HttpModule | undefined;
const http = (): HttpModule => (httpModule ??= require('../http/internal') as HttpModule);
const currentScope = (): RequestScope | undefined => http().currentScope();
const runInScope: HttpModule['runInScope'] = (scope, fn, ...args) => http().runInScope(scope, fn, ...args);

/** A context manager other than ours was registered before boot: switch it too, and read it when ours is empty. */
let foreign = false;

/**
 * OpenTelemetry's ContextManager over the framework's request scope: `context.active()` is the trace context of the
 * code running now (a request, a job), `context.with` switches it for a call. `bind` binds functions; other targets
 * (event emitters) are returned as they are.
 */
export class StrykeContextManager implements ContextManager {
  active(): Context {
    return (currentScope()?.trace as Context | undefined) ?? api().ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const scope = { id: currentScope()?.id, trace: ctx };
    return thisArg === undefined ? runInScope(scope, fn, ...args) : runInScope(scope, () => fn.apply(thisArg, args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return function bound(this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args));
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }
}

/**
 * Called once at boot when a provider is registered: registers StrykeContextManager when no context manager is,
 * and notes whether another one is (then it is switched too).
 */
export function installContextManager(): void {
  const global = (globalThis as Record<symbol, { context?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  if (global?.context === undefined) api().context.setGlobalContextManager(new StrykeContextManager());
  const registered = (globalThis as Record<symbol, { context?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')]?.context;
  foreign = registered !== undefined && !(registered instanceof StrykeContextManager);
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
  return (currentScope()?.trace as Context | undefined) ?? (foreign ? api().context.active() : api().ROOT_CONTEXT);
}

/** Runs `fn` with `ctx` as the active context, for the same request id (and in another manager's too, when one is registered). */
export function withContext<R>(ctx: Context, fn: () => R, requestId: string | undefined = currentScope()?.id): R {
  const scope = { id: requestId, trace: ctx };
  return foreign ? runInScope(scope, () => api().context.with(ctx, fn)) : runInScope(scope, fn);
}

/** Whether another context manager is switched beside the framework's (see installContextManager). */
export function foreignContextManager(): boolean {
  return foreign;
}

/** Starts a span under the active context. */
export function startSpan(name: string, kind: SpanKindType, attributes: Attributes, parent: Context = activeContext()): { span: Span; ctx: Context } {
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  return { span, ctx: api().trace.setSpan(parent, span) };
}

/** Starts a span nothing runs inside (a SQL statement): no context is made for it. */
export function startLeafSpan(name: string, kind: SpanKindType, attributes: Attributes): Span {
  return tracer().startSpan(name, { kind, attributes }, activeContext());
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

