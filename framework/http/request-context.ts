import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyBaseLogger } from 'fastify';

/**
 * The id of the request whose code is running, carried through its timers and promises (AsyncLocalStorage),
 * so an error that escapes them after the response (a timer that throws, a promise nobody awaited) is
 * logged with the request it came from.
 */
const context = new AsyncLocalStorage<string>();

/** Runs a route's handler inside its request's context. */
export function runInRequest<A extends unknown[], R>(id: string, fn: (...args: A) => R, ...args: A): R {
  return context.run(id, fn, ...args);
}

/** The id of the request this code runs for, when it runs for one. */
export function currentRequestId(): string | undefined {
  return context.getStore();
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
