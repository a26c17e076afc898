import { AsyncLocalStorage } from 'node:async_hooks';
import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, in place of fastify's two ("incoming request", "request completed"): method, path,
 * the controller#action that answered, status, time and, in development, how many SQL statements it ran. In
 * development the lines are readable (`readableLogStream`); elsewhere they are pino's JSON, one object a line:
 * `{"msg":"request","method":"GET","path":"/posts","action":"PostsController#index","status":200,"ms":4.2}`.
 */

/** Per request, what the SQL counter counted (development). */
interface RequestStats {
  sql: number;
}
const STATS = Symbol('stryke.requestStats');
const stats = new AsyncLocalStorage<RequestStats>();

/** Counts one SQL statement against the request that runs it (a no-op outside a request). */
export function countStatement(): void {
  const s = stats.getStore();
  if (s) s.sql++;
}

/**
 * Wraps a database's statement entry points so each request counts its SQL (development only: an
 * AsyncLocalStorage lookup per statement is not worth paying in production).
 */
export function countStatementsOf(db: { execute: (...a: any[]) => any; run: (...a: any[]) => any }): void {
  const execute = db.execute.bind(db);
  const run = db.run.bind(db);
  db.execute = (...args: any[]) => {
    countStatement();
    return execute(...args);
  };
  // `run` without a query runner goes through `execute` (counted there).
  db.run = (sql: string, binds?: unknown[], runner?: unknown) => {
    if (runner) countStatement();
    return run(sql, binds, runner);
  };
}

/** What the routes tell the log: per HTTP verb, the action registered for the route (`PostsController#index`). */
export type RouteActions = Record<string, string>;

function actionOf(req: FastifyRequest): string | undefined {
  const actions = (req.routeOptions?.config as { strykeActions?: RouteActions } | undefined)?.strykeActions;
  if (!actions) return undefined;
  let verb = req.method === 'HEAD' ? 'GET' : req.method;
  const override = (req.body as { _method?: unknown } | undefined)?._method;
  if (verb === 'POST' && typeof override === 'string') verb = override.toUpperCase();
  return actions[verb];
}

/** What a request's line says of it: method, path (no query string), the action that answered, status. */
export function requestFields(req: FastifyRequest, status: number): Record<string, unknown> {
  return { method: req.method, path: req.url.split('?', 1)[0], action: actionOf(req), status };
}

/**
 * fastify's log controller with one line per request: nothing when it comes in, the line when it has been
 * answered (at error level for a 5xx or an error, with the error).
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    // At the production default (`warn`) a good answer's line is not written: nothing is built for it.
    if (!error && reply.statusCode < 500 && !(reply.log as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled('info')) return;
    const s = (req as unknown as Record<symbol, RequestStats | undefined>)[STATS];
    const entry = requestFields(req, reply.statusCode);
    entry.ms = Math.round(reply.elapsedTime * 10) / 10;
    if (s) entry.sql = s.sql;
    if (error) reply.log.error({ ...entry, err: error }, 'request');
    else if (reply.statusCode >= 500) reply.log.error(entry, 'request');
    else reply.log.info(entry, 'request');
  }
}

/** The log controller for fastify's options: one line per request. */
export function requestLogController(): LogController {
  return new OneLinePerRequest();
}

/** In development: each request counts its SQL statements (see countStatementsOf). */
export function installSqlCounter(app: FastifyInstance): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const s: RequestStats = { sql: 0 };
    (req as unknown as Record<symbol, RequestStats>)[STATS] = s;
    stats.run(s, done);
  });
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's own fields, left out of a readable line's details. */
const OWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime', 'err', 'v']);

/** A request's line: `GET /posts -> PostsController#index 200 in 4.2 ms (3 SQL)`. */
function requestLine(o: Record<string, any>): string {
  const sql = typeof o.sql === 'number' ? ` (${o.sql} SQL)` : '';
  return `${o.method} ${o.path}${o.action ? ` -> ${o.action}` : ''} ${o.status} in ${o.ms} ms${sql}`;
}

/** One pino JSON line as a person reads it. */
export function readableLine(json: string): string {
  let o: Record<string, any>;
  try {
    o = JSON.parse(json) as Record<string, any>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 23) : '';
  const level = LEVELS[o.level as number] ?? String(o.level ?? '');
  if (o.msg === 'request' && o.method) return `${time} ${requestLine(o)}\n`;
  const details = Object.entries(o).filter(([k]) => !OWN.has(k)).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  let line = `${time} ${level === 'INFO' ? '' : `${level} `}${o.msg ?? ''}${details.length ? ` ${details.join(' ')}` : ''}`;
  if (o.err?.stack) line += `\n${o.err.stack}`;
  else if (o.err?.message) line += ` ${o.err.message}`;
  return `${line}\n`;
}

/** The development log: pino writes JSON lines into it, the terminal gets readable ones. */
export function readableLogStream(out: { write(s: string): unknown } = process.stdout): { write(line: string): void } {
  return { write: (line: string) => void out.write(readableLine(line)) };
}
