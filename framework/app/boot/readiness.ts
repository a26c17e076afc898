import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { RETRY_AFTER_SECONDS } from '../../http/internal';
// The migrations' light entry: their index loads the runner and its schema engine (TypeORM), which serving never needs.
import { pendingMigrations } from '../../migrations/internal';
import { sqlitePath, type Database, type DatabaseConfig } from '../../orm';

/** Milliseconds a readiness check waits for the database before it counts as unreachable. */
export const READY_TIMEOUT_MS = 2000;
/** Once the migrations are found current, they are not asked again for this long (they rarely change under a running app). */
const MIGRATIONS_CACHE_MS = 30_000;

interface ReadinessDeps {
  root: string;
  env: string;
  db: Database;
  dbConfig: DatabaseConfig;
  /** The app's job backend, when it has jobs. */
  jobs?: { reachable(): Promise<void> };
}

interface Failure {
  check: string;
  reason: string;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * `GET /ready`, for a load balancer: 200 `{"status":"ready"}` when the database answers and has run every
 * migration and the job backend (if the app has jobs) answers, else 503 `{"status":"unavailable","failures":[{check, reason}]}` with `Retry-After`. Cheap (one
 * `SELECT 1`; the migrations are read again only every 30 s once current) and never logged, like `/health`.
 * An app that defines its own `GET /ready` keeps it.
 */
export function registerReadiness(app: FastifyInstance, deps: ReadinessDeps): void {
  const sqliteFile = deps.dbConfig.adapter === 'sqlite' && deps.dbConfig.database !== ':memory:' ? sqlitePath(deps.dbConfig, deps.root) : undefined;
  const detailed = deps.env !== 'production';
  let migrationsCurrentUntil = 0;

  const checkJobs = async (): Promise<Failure[]> => {
    if (!deps.jobs) return [];
    try {
      await withTimeout(deps.jobs.reachable(), READY_TIMEOUT_MS, 'the job backend');
      return [];
    } catch (err) {
      return [{ check: 'jobs', reason: detailed ? `backend unreachable: ${(err as Error).message}` : 'backend unreachable' }];
    }
  };

  const check = async (): Promise<Failure[]> => {
    const [database, jobs] = await Promise.all([checkDatabase(), checkJobs()]);
    return [...database, ...jobs];
  };

  const checkDatabase = async (): Promise<Failure[]> => {
    if (sqliteFile && !existsSync(sqliteFile)) {
      return [{ check: 'database', reason: detailed ? `the SQLite file ${sqliteFile} is missing` : 'the database file is missing' }];
    }
    try {
      await withTimeout(deps.db.run('SELECT 1'), READY_TIMEOUT_MS, 'the database');
    } catch (err) {
      return [{ check: 'database', reason: detailed ? `unreachable: ${(err as Error).message}` : 'unreachable' }];
    }
    if (Date.now() < migrationsCurrentUntil) return [];
    try {
      const pending = await withTimeout(pendingMigrations(deps.db, deps.root), READY_TIMEOUT_MS, 'the migrations table');
      if (pending.length) return [{ check: 'migrations', reason: `${pending.length} pending (run \`stryke db migrate\`)` }];
      migrationsCurrentUntil = Date.now() + MIGRATIONS_CACHE_MS;
    } catch (err) {
      return [{ check: 'migrations', reason: detailed ? `could not be read: ${(err as Error).message}` : 'could not be read' }];
    }
    return [];
  };

  app.get('/ready', { logLevel: 'silent' }, async (_req, reply) => {
    const failures = await check();
    reply.type('application/json').header('cache-control', 'no-store');
    if (!failures.length) return reply.send('{"status":"ready"}');
    return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send(JSON.stringify({ status: 'unavailable', failures }));
  });
}
