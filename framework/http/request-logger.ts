import type { FastifyBaseLogger, FastifyServerOptions, LogController } from 'fastify';
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
}

/**
 * How the app's logger is handed to fastify. Given any logger, fastify puts `finish` and `error` listeners on
 * every response and reads the clock twice, for a request-completed line logged at `info` (and skipped at
 * the production default, `warn`): about 7,500 instructions a request, a tenth of the request path (see
 * docs/performance.md). So when the level is above `info` fastify gets no logger (`logger: false`, which
 * attaches none of that) and the app's pino logger is built here from the same options (fastify's own
 * serializers, `redact`, `stream`, `file`, the request id mixin...): it becomes `app.log`, and each request's
 * `request.log` is a lazy child of it carrying `reqId` (fastify still calls the child logger factory). What
 * is not written at such a level: the one-line request log of a request answered with a 5xx status without
 * an error (an error's 5xx is logged by the error handler, framework/http/error-pages.ts), and fastify's
 * "request errored" line for a response stream that failed; raising the level at run time does not bring
 * the request lines back (the boot-time level decides).
 */
export function fastifyLogging(logger: FastifyServerOptions['logger'], logController?: LogController): FastifyLogging {
  if (!logger) return { options: { logger: false } };
  const controller = logController ? { logController } : {};
  if (!quiet(logger)) return { options: { logger, ...controller, childLoggerFactory: lazyRequestLogger } };
  const log = pinoOf(logger as Record<string | symbol, any>);
  return {
    options: { logger: false, ...controller, childLoggerFactory: (_none, bindings, opts) => lazyRequestLogger(log, bindings, opts) },
    log,
  };
}

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
