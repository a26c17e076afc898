import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { fastifyRequire } from '../support';
import { join } from 'node:path';
import { createApp, type App } from '../app';
import { currentEnv, defaultHost } from '../config';
import { formatProblem, problemFrom, serveProblem, type BootProblem } from './boot-error';
import { drainAndClose, trackConnections } from './drain';
import { keepServingThroughStrayErrors } from '../http/internal';
import { BOOT_FAILED } from './primary';
import { StrykeError } from '../support';
import { ServerErrors } from './errors';

export interface ServeOptions {
  root: string;
  port?: number;
  host?: string;
  env?: string;
  /** Where the compiled code lives (default `<root>/build`). */
  buildDir?: string;
  /** Run on the booted app before it listens: a throw fails the boot (`stryke start` refuses pending migrations). */
  check?: (app: App) => Promise<void>;
}

/** Set by `stryke dev` on its workers: a boot error is served as a page instead of ending the process. */
export const DEV_WORKER_ENV = 'STRYKE_DEV_WORKER';
/** Set by `stryke dev` when the code does not compile: the worker serves this problem (JSON) without booting. */
export const DEV_PROBLEM_ENV = 'STRYKE_DEV_PROBLEM';
/**
 * Set by `stryke dev` on its spare workers: load the framework now, then wait for the primary. The dev
 * protocol, over IPC:
 *   worker  -> primary  `{ type: 'stryke:standby' }`          framework loaded, waiting
 *   primary -> worker   `{ type: 'stryke:boot', problem? }`   boot the app (or prepare the problem page), do not listen
 *   worker  -> primary  `{ type: 'stryke:booted', failed }`   booted (or failed to: the worker holds the error)
 *   primary -> worker   `{ type: 'stryke:listen', problem? }` take connections: the app, or this problem's page
 *   worker  -> primary  `{ type: 'stryke:ready', failed }`    listening
 * `'stryke:shutdown'` at any point closes the app and ends the process. Booting before listening lets the
 * primary boot a worker while the compiler is still type-checking the change, and swap only if it passes.
 */
export const DEV_STANDBY_ENV = 'STRYKE_DEV_STANDBY';

/** Waits for the next `{ type }` message from the dev primary; `stryke:shutdown` runs `onShutdown` and exits. */
function nextMessage<T>(type: string, onShutdown: () => Promise<void> = async () => {}): Promise<T> {
  return new Promise((resolveMessage) => {
    const onMessage = (m: any) => {
      if (m === 'stryke:shutdown') {
        process.off('message', onMessage);
        void onShutdown().finally(() => process.exit(0));
        return;
      }
      if (m?.type !== type) return;
      process.off('message', onMessage);
      resolveMessage(m as T);
    };
    process.on('message', onMessage);
  });
}

/**
 * What a boot would load on the way, loaded while the spare waits: the default database driver (TypeORM
 * requires it lazily), fastify's logger (required when the server is built) and, for an app with jobs, the
 * jobs layer and BullMQ (its workers load it after the first response). Only requires: nothing runs, so a
 * boot after this behaves as one without it.
 */
function warmUp(root: string): void {
  const tryRequire = (load: () => unknown) => {
    try {
      load();
    } catch {
      /* not installed: the boot reports it if it needs it */
    }
  };
  tryRequire(() => require('better-sqlite3'));
  tryRequire(() => fastifyRequire('./lib/logger-pino.js'));
  if (existsSync(join(root, 'app', 'jobs'))) {
    tryRequire(() => require('../jobs'));
    tryRequire(() => require('bullmq'));
  }
}

/** A spare `stryke dev` worker: framework loaded, it boots when told and listens when told. */
async function standBy(options: ServeOptions): Promise<App | undefined> {
  warmUp(options.root);
  const boot = nextMessage<{ problem?: BootProblem }>('stryke:boot');
  process.send!({ type: 'stryke:standby' });
  let problem = (await boot).problem;
  const started = process.hrtime.bigint();
  let app: App | undefined;
  if (!problem) {
    try {
      app = await createApp({ root: options.root, env: options.env, buildDir: options.buildDir, jobWorkers: 'after-first-response' });
    } catch (err) {
      problem = problemFrom(options.root, err);
    }
  }
  const bootMs = Number(process.hrtime.bigint() - started) / 1e6;
  const go = nextMessage<{ problem?: BootProblem }>('stryke:listen', async () => app?.close());
  process.send!({ type: 'stryke:booted', failed: !!problem, bootMs });
  const verdict = (await go).problem ?? problem;
  if (verdict) {
    if (app) await app.close().catch(() => {});
    return serveDevProblem(options, verdict);
  }
  return listen(app!, options, bootMs);
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
  const server: Server = await serveProblem(options.root, problem, options.port ?? 3000, options.host ?? defaultHost(options.env ?? currentEnv()));
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
  if (dev && process.env[DEV_STANDBY_ENV] === '1' && process.send) return standBy(options);
  if (dev && process.env[DEV_PROBLEM_ENV]) return serveDevProblem(options, JSON.parse(process.env[DEV_PROBLEM_ENV]!) as BootProblem);
  const started = process.hrtime.bigint();
  let app: App;
  try {
    app = await createApp({ root: options.root, env: options.env, buildDir: options.buildDir, jobWorkers: 'after-first-response' });
    if (options.check) {
      const booted = app;
      await options.check(booted).catch(async (err) => {
        await booted.close().catch(() => {});
        throw err;
      });
    }
  } catch (err) {
    if (!dev && cluster.isWorker && process.send) return reportBootFailure(err);
    if (!dev) throw err;
    return serveDevProblem(options, problemFrom(options.root, err));
  }
  try {
    return await listen(app, options, Number(process.hrtime.bigint() - started) / 1e6);
  } catch (err) {
    const refused = portRefused(err);
    // A port that cannot be opened is refused again to every replacement: under `stryke start` the primary stops
    // with this line (it would otherwise replace workers forever while nothing listens).
    if (refused && !dev && cluster.isWorker && process.send) return reportBootFailure(refused);
    throw refused ?? err;
  }
}

/** The listen error a user can act on (the port is taken, or not this user's or this machine's to open), as a stryke error. */
function portRefused(err: unknown): StrykeError | undefined {
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e?.code === 'EADDRINUSE') return ServerErrors.PORT_IN_USE(e.port, e.address);
  if (e?.code === 'EACCES' || e?.code === 'EADDRNOTAVAIL') return ServerErrors.PORT_DENIED(e.port, e.address);
  return undefined;
}

/** A `stryke start` worker whose app failed to boot: the primary prints the one line (once, not per worker) and stops. */
function reportBootFailure(err: unknown): Promise<undefined> {
  const message = err instanceof StrykeError ? `${err.message} (${err.code})` : String((err as Error)?.message ?? err);
  if (process.env.STRYKE_DEBUG && (err as Error)?.stack) process.stderr.write(`${(err as Error).stack}\n`);
  return new Promise(() => process.send!({ type: BOOT_FAILED, message }, () => process.exit(1)));
}

/** Listens, closes the app on shutdown, and tells a supervising primary (`stryke:ready`). */
async function listen(app: App, options: ServeOptions, bootMs: number): Promise<App> {
  const port = options.port ?? Number(process.env.PORT ?? app.config.server?.port ?? 3000);
  keepServingThroughStrayErrors(app.server.log);
  const connections = trackConnections(app.server.server);
  const address = await app.listen(port, options.host);
  app.server.log.info({ address, bootMs: Math.round(bootMs), pid: process.pid }, 'listening');
  // Kept-alive clients get a moment to leave cleanly (see drain.ts) before the app closes.
  onShutdown(() => drainAndClose(app.server.server, connections, () => app.close()));
  if (process.send) process.send({ type: 'stryke:ready', address, bootMs });
  return app;
}
