import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { requestFields } from './request-log';
import { fastifyRequire } from '../support';

/**
 * The per-request logger (`req.log`, `this.log`), made only when something is logged at an enabled level.
 * fastify builds a pino child logger for every request (its bindings serialized, a new object with the
 * logger's prototype chain): several thousand instructions a request, for a logger that in production (level
 * `warn`) almost never writes. This one stands in for it and makes the real child on the first line that
 * will be written, so a quiet request pays for one small object. The level is read from the app's logger at
 * each call, so changing it at run time still takes effect.
 */
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

class RequestLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(private readonly parent: FastifyBaseLogger, private readonly bindings: Record<string, unknown>, private readonly opts: { level?: string }) {}

  /** The real child logger, made once. */
  private real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.opts));
  }

  /** The logger whose level decides: the child once made, or when the route sets its own level (`logLevel`). */
  private decides(): FastifyBaseLogger {
    return this.made ?? (this.opts.level ? this.real() : this.parent);
  }

  get level(): string {
    return this.decides().level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return (this.decides() as any).isLevelEnabled(level);
  }

  child(bindings: Record<string, unknown>, opts?: object): FastifyBaseLogger {
    return this.real().child(bindings, opts);
  }

  silent(): void {}
}

for (const level of LEVELS) {
  Object.defineProperty(RequestLogger.prototype, level, {
    value(this: any, ...args: unknown[]) {
      if (!this.decides().isLevelEnabled(level)) return;
      (this.real() as any)[level](...args);
    },
    writable: true,
    configurable: true,
  });
}

/** fastify's `childLoggerFactory`: a request logger that makes its pino child only when it writes. */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Record<string, unknown>, opts: object): FastifyBaseLogger {
  return new RequestLogger(logger, bindings, opts) as unknown as FastifyBaseLogger;
}

/** The levels at which fastify's per-request lines (info) are never written. */
const QUIET_LEVELS = new Set(['warn', 'error', 'fatal', 'silent']);

export interface FastifyLogging {
  /** fastify's options for its logger. */
  options: Partial<FastifyServerOptions>;
  /** When fastify is given no logger: the app's logger, for `app.log`. */
  log?: FastifyBaseLogger;
  /** When fastify is given no logger: gives a request its `request.log` / `reply.log` (see fastifyLogging). */
  attach?: (req: FastifyRequest, reply: FastifyReply) => void;
}

/**
 * How the app's logger is handed to fastify. Given any logger, fastify puts `finish` and `error` listeners on
 * every response and reads the clock twice, for a request-completed line logged at `info` (and skipped at
 * the production default, `warn`); and with a child logger factory of the app's own it checks each request's
 * logger for its seven methods (keyed lookups that V8 cannot cache): about 7,500 instructions a request, a
 * tenth of the request path (docs/performance.md). So when the level is above `info` fastify gets no logger
 * (`logger: false`, whose requests get its no-op logger and none of that), and the app's pino logger is built
 * here from the same options (fastify's own serializers, `redact`, `stream`, `file`, the request id mixin...):
 * it becomes `app.log`, and `attach` gives a request a lazy child of it carrying `reqId` as its `request.log`
 * and `reply.log` (two stores and one small object: the route's handler calls it first, and the error handler
 * for a request that failed before its handler ran). Not written at such a level: the one-line request log of a
 * request answered with a 5xx status without an error (an error's 5xx is logged by the error handler,
 * framework/http/error-pages.ts), fastify's "request errored" line for a response that failed on a route
 * without `onResponse` hooks, and fastify's own warnings about requests no stryke route handled (a plugin's
 * routes, static files); raising the level at run time does not bring the request lines back (the boot-time
 * level decides). `logController` is the one for `info` and below (the request log's).
 */
export function fastifyLogging(logger: FastifyServerOptions['logger'], logController?: LogController): FastifyLogging {
  if (!logger) return { options: { logger: false } };
  if (!quiet(logger)) return { options: { logger, ...(logController ? { logController } : {}), childLoggerFactory: lazyRequestLogger } };
  const log = pinoOf(logger as Record<string | symbol, any>);
  const attach = (req: FastifyRequest, reply: FastifyReply): void => {
    req.log = reply.log = new RequestLogger(log, { reqId: req.id }, NO_OPTIONS) as unknown as FastifyBaseLogger;
  };
  return { options: { logger: false, logController: new QuietRequests(attach) }, log, attach };
}

/**
 * The log controller above `info`: no request lines (the request log's controller is for `info` and below),
 * but a response that failed after its answer was under way (fastify's "request errored", on routes with
 * `onResponse` hooks, the only ones fastify listens to then) is logged at `error`.
 */
class QuietRequests extends LogController {
  constructor(private readonly attach: (req: FastifyRequest, reply: FastifyReply) => void) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    if (!error) return;
    if (!hasRequestLogger(req)) this.attach(req, reply);
    reply.log.error({ ...requestFields(req, reply.statusCode), err: error }, 'request errored');
  }
}

/** Whether `req.log` is a request logger made here (not fastify's no-op logger). */
export function hasRequestLogger(req: FastifyRequest): boolean {
  return req.log instanceof RequestLogger;
}

const NO_OPTIONS = {};

/** Whether pino options set a level above `info` (an app's own level names leave fastify its logger). */
function quiet(logger: FastifyServerOptions['logger']): boolean {
  if (typeof logger !== 'object' || logger === null) return false;
  const { level, useOnlyCustomLevels } = logger as { level?: unknown; useOnlyCustomLevels?: unknown };
  return typeof level === 'string' && QUIET_LEVELS.has(level) && !useOnlyCustomLevels;
}

/** The pino logger fastify would have built from these options: its serializers under the app's own. */
function pinoOf(given: Record<string | symbol, any>): FastifyBaseLogger {
  const { createPinoLogger, serializers } = fastifyRequire('./lib/logger-pino.js') as {
    createPinoLogger(opts: object): FastifyBaseLogger;
    serializers: Record<string, unknown>;
  };
  const opts: Record<string | symbol, unknown> = {};
  for (const key of Reflect.ownKeys(given)) opts[key] = given[key];
  opts.serializers = { ...serializers, ...given.serializers };
  return createPinoLogger(opts);
}
