import { fastifyRequire } from '../support';

/** pino's key for a child logger's bindings (the JSON text it adds to each line): fastify's own pino. */
let chindings: symbol | undefined;
function chindingsKey(): symbol {
  return (chindings ??= (fastifyRequire('pino') as { symbols: { chindingsSym: symbol } }).symbols.chindingsSym);
}

/**
 * pino's `mixin`: a line logged while code runs for a request (its controller, a model's SQL, a job it
 * enqueued: see jobs.ts) carries `reqId`, unless its logger already has it (fastify's `request.log`).
 */
type HttpModule = typeof import('../http/internal');
/** Loaded with the first line logged: a cluster primary (which loads this for its settings) never serves HTTP. */
let http: HttpModule | undefined;

export function requestIdMixin(_obj: object, _level: number, logger?: unknown): Record<string, unknown> {
  const reqId = (http ??= require('../http/internal') as HttpModule).currentRequestId();
  if (reqId === undefined) return {};
  const bound = (logger as Record<symbol, unknown> | undefined)?.[chindingsKey()];
  if (typeof bound === 'string' && bound.includes('"reqId":')) return {};
  return { reqId };
}

/** Adds the mixin to pino options the framework builds (an app's own logger instance is left as it is). */
export function withRequestIds<T>(logger: T): T {
  if (!logger || typeof logger !== 'object' || typeof (logger as any).info === 'function' || 'mixin' in (logger as object)) return logger;
  return { ...logger, mixin: requestIdMixin };
}
