import type { FastifyBaseLogger } from 'fastify';

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

  constructor(private readonly parent: FastifyBaseLogger, private readonly bindings: Record<string, unknown>, private readonly opts: object) {}

  /** The real child logger, made once. */
  private real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.opts));
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return (this.made ?? (this.parent as any)).isLevelEnabled(level);
  }

  child(bindings: Record<string, unknown>, opts?: object): FastifyBaseLogger {
    return this.real().child(bindings, opts);
  }

  silent(): void {}
}

for (const level of LEVELS) {
  Object.defineProperty(RequestLogger.prototype, level, {
    value(this: any, ...args: unknown[]) {
      const logger = this.made ?? this.parent;
      if (!logger.isLevelEnabled(level)) return;
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
