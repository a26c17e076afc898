import type { Server } from 'node:http';
import { createApp, type App } from '../app/create-app';
import { formatProblem, problemFrom, serveProblem, type BootProblem } from './boot-error';

export interface ServeOptions {
  root: string;
  port?: number;
  host?: string;
  env?: string;
  /** Where the compiled code lives (default `<root>/build`). */
  buildDir?: string;
}

/** Set by `stryke dev` on its workers: a boot error is served as a page instead of ending the process. */
export const DEV_WORKER_ENV = 'STRYKE_DEV_WORKER';
/** Set by `stryke dev` when the code does not compile: the worker serves this problem (JSON) without booting. */
export const DEV_PROBLEM_ENV = 'STRYKE_DEV_PROBLEM';
/**
 * Set by `stryke dev` on its spare worker: load the framework now, then wait for `{ type: 'stryke:boot' }`
 * before booting the app, so a reload costs the app's boot and not a process start.
 */
export const DEV_STANDBY_ENV = 'STRYKE_DEV_STANDBY';

/** Waits, modules loaded, until the dev primary says boot (with a compile problem to show, if any). */
function standBy(): Promise<{ problem?: BootProblem }> {
  try {
    require('better-sqlite3'); // the default database driver, loaded lazily by TypeORM otherwise
  } catch {
    /* another database */
  }
  return new Promise((resolveBoot) => {
    const onMessage = (m: any) => {
      if (m === 'stryke:shutdown') process.exit(0);
      if (m?.type !== 'stryke:boot') return;
      process.off('message', onMessage);
      resolveBoot({ problem: m.problem });
    };
    process.on('message', onMessage);
    process.send!({ type: 'stryke:standby' });
  });
}

function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    try {
      await close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('message', (msg) => {
    if (msg === 'stryke:shutdown') void shutdown();
  });
}

/** Under `stryke dev`: answer every request with the problem until the primary replaces this worker. */
async function serveDevProblem(options: ServeOptions, problem: BootProblem): Promise<undefined> {
  process.stderr.write(formatProblem(options.root, problem));
  const server: Server = await serveProblem(options.root, problem, options.port ?? 3000, options.host ?? '0.0.0.0');
  onShutdown(() => new Promise((done) => {
    server.closeAllConnections();
    server.close(() => done());
  }));
  if (process.send) process.send({ type: 'stryke:ready', failed: true, problem });
  return undefined;
}

/**
 * Boots the app and listens; on SIGTERM (or a `shutdown` message from the primary) it stops accepting
 * connections, lets in-flight requests finish, closes the database and exits.
 */
export async function serve(options: ServeOptions): Promise<App | undefined> {
  const dev = process.env[DEV_WORKER_ENV] === '1';
  if (dev && process.env[DEV_STANDBY_ENV] === '1' && process.send) {
    const { problem } = await standBy();
    if (problem) return serveDevProblem(options, problem);
  }
  if (dev && process.env[DEV_PROBLEM_ENV]) return serveDevProblem(options, JSON.parse(process.env[DEV_PROBLEM_ENV]!) as BootProblem);
  const started = process.hrtime.bigint();
  let app: App;
  try {
    app = await createApp({ root: options.root, env: options.env, buildDir: options.buildDir });
  } catch (err) {
    if (!dev) throw err;
    return serveDevProblem(options, problemFrom(options.root, err));
  }
  const port = options.port ?? Number(process.env.PORT ?? app.config.server?.port ?? 3000);
  const address = await app.listen(port, options.host);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  app.server.log.info({ address, bootMs: Math.round(ms), pid: process.pid }, 'listening');
  onShutdown(() => app.close());
  if (process.send) process.send({ type: 'stryke:ready', address, bootMs: ms });
  return app;
}
