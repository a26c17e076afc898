import type { FastifyBaseLogger } from 'fastify';
import { statementKind, scrapeReaders, type StrykeMetrics } from './metrics';
import { SpanKind, failSpan, startLeafSpan } from './tracing';

type Db = {
  execute: (...a: any[]) => any;
  run: (...a: any[]) => any;
  readonly config: { adapter: string };
  poolStats(): Record<string, number>;
};

export interface SqlInstrumentation {
  metrics?: StrykeMetrics;
  tracing: boolean;
  /** At debug level: one line per statement (its kind, text and time); the request id comes with it. */
  log?: FastifyBaseLogger;
}

const DB_SYSTEM: Record<string, string> = { sqlite: 'sqlite', postgres: 'postgresql', mysql: 'mysql' };

/**
 * Wraps a database's statement entry points (as the development SQL counter does): each statement is
 * timed into `stryke_sql_statement_duration_seconds`, traced as a client span, and logged at debug level.
 */
export function instrumentDatabase(db: Db, opts: SqlInstrumentation): void {
  const { metrics: m, tracing, log } = opts;
  const logSql = !!log && debugEnabled(log);
  const system = DB_SYSTEM[db.config.adapter] ?? db.config.adapter;
  const observe = (sql: string) => {
    const kind = statementKind(sql);
    const started = process.hrtime.bigint();
    const traced = tracing ? startLeafSpan(kind, SpanKind.CLIENT, { 'db.system': system, 'db.query.text': sql, 'db.operation.name': kind }) : undefined;
    const end = (err?: unknown) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      m?.sqlDuration.labels(kind).observe(seconds);
      if (err !== undefined) m?.sqlErrors.labels(kind).inc();
      if (traced) {
        if (err !== undefined) failSpan(traced, err);
        else traced.end();
      }
      if (logSql) log!.debug({ sql, ms: Math.round(seconds * 1e5) / 100, ...(err !== undefined ? { failed: true } : {}) }, 'sql');
    };
    return { end };
  };
  const wrap = (call: () => any, sql: string) => {
    const o = observe(sql);
    let result: any;
    try {
      result = call();
    } catch (err) {
      o.end(err);
      throw err;
    }
    if (result && typeof result.then === 'function') {
      return result.then((v: unknown) => (o.end(), v), (err: unknown) => {
        o.end(err);
        throw err;
      });
    }
    o.end();
    return result;
  };
  const execute = db.execute.bind(db);
  const run = db.run.bind(db);
  db.execute = (sql: string, ...rest: any[]) => wrap(() => execute(sql, ...rest), sql);
  // `run` without a connection goes through `execute` (observed there).
  db.run = (sql: string, binds?: unknown[], conn?: unknown) => (conn ? wrap(() => run(sql, binds, conn), sql) : run(sql, binds, conn));
  if (m) scrapeReaders.pools.add(() => db.poolStats());
}

/** Whether a logger writes debug lines (pino's `isLevelEnabled`). */
export function debugEnabled(log: FastifyBaseLogger): boolean {
  const l = log as FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };
  return typeof l.isLevelEnabled === 'function' && l.isLevelEnabled('debug');
}
