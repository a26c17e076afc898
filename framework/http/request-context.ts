import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';

/**
 * What the running code runs for, carried through its timers and promises in one AsyncLocalStorage: the id of
 * the request (or of the request a job came from), so an error that escapes after the response (a timer that
 * throws, a promise nobody awaited) is logged with the request it came from; and, when tracing is on, the
 * OpenTelemetry context its spans descend from (framework/observability puts it here, so one store carries both
 * and a request switches context once: a second AsyncLocalStorage would copy its store into every promise too).
 */
export interface RequestScope {
  readonly id: string | undefined;
  /** The observability concern's trace context (an OpenTelemetry `Context`); undefined when not tracing. */
  trace: unknown;
}

const context = new AsyncLocalStorage<RequestScope>();

/**
 * Set on a request by the tracing wrapper: the scope its handler runs in (see runHandlerInScope). Exported for
 * `decorateRequest`, so a request object has the slot from the start and setting it changes no object shape.
 */
export const REQUEST_SCOPE = Symbol('stryke.requestScope');

/** Runs `fn` for the request (or job origin) `id`, outside any trace. */
export function runInRequest<A extends unknown[], R>(id: string, fn: (...args: A) => R, ...args: A): R {
  return context.run({ id, trace: undefined }, fn, ...args);
}

/** Runs `fn` inside `scope`. */
export function runInScope<A extends unknown[], R>(scope: RequestScope, fn: (...args: A) => R, ...args: A): R {
  return context.run(scope, fn, ...args);
}

/** The scope the running code runs in, if any. */
export function currentScope(): RequestScope | undefined {
  return context.getStore();
}

/** The id of the request this code runs for, when it runs for one. */
export function currentRequestId(): string | undefined {
  return context.getStore()?.id;
}

/**
 * Gives `req` the scope its handler runs in (a tracing wrapper, which then runs the handler in it with runInScope;
 * the route's own wrapper, runHandlerInScope, finds itself inside it already). Any object with `id` and `trace`.
 */
export function setRequestScope(req: FastifyRequest, scope: RequestScope): void {
  (req as unknown as Record<symbol, RequestScope>)[REQUEST_SCOPE] = scope;
}

/** The scope setRequestScope gave `req`, if any. */
export function requestScope(req: FastifyRequest): RequestScope | undefined {
  return (req as unknown as Record<symbol, RequestScope | null | undefined>)[REQUEST_SCOPE] ?? undefined;
}

/** Runs a route's handler inside its request's scope (once: not again when tracing entered it already). */
export function runHandlerInScope<R>(handler: (req: FastifyRequest, reply: FastifyReply) => R, req: FastifyRequest, reply: FastifyReply): R {
  const scope = (req as unknown as Record<symbol, RequestScope | null | undefined>)[REQUEST_SCOPE];
  if (scope != null && context.getStore() === scope) return handler(req, reply);
  return context.run(scope ?? { id: req.id, trace: undefined }, handler, req, reply);
}

let installed: FastifyBaseLogger | undefined;

/** Logs a stray error: through the app's logger, or on stderr when logging is off (the test environment). */
function report(err: unknown, msg: string, origin?: string): void {
  const reqId = currentRequestId();
  const log = installed!;
  if (log.level !== undefined && log.level !== 'silent') {
    log.error({ err, origin, reqId }, msg);
    return;
  }
  const e = err instanceof Error ? { type: err.name, message: err.message, stack: err.stack } : { message: String(err) };
  process.stderr.write(`${JSON.stringify({ level: 50, time: Date.now(), pid: process.pid, reqId, err: e, msg })}\n`);
}

/**
 * Keeps a server process alive through errors that escape every request: an unhandled promise rejection or
 * an exception thrown in a timer or an event handler after the response. Each is logged (with the request
 * id when the code ran for a request) and the process keeps serving; without this, node ends the process,
 * and every request on its connections with it. Installed once per process, by the server entry points
 * (`stryke start`, `server`, `dev`); the latest app's logger is used.
 */
export function keepServingThroughStrayErrors(log: FastifyBaseLogger): void {
  const first = installed === undefined;
  installed = log;
  if (!first) return;
  process.on('unhandledRejection', (reason) => report(reason, 'unhandled promise rejection (the process keeps serving)'));
  process.on('uncaughtException', (err, origin) => report(err, 'uncaught exception (the process keeps serving)', origin));
}
