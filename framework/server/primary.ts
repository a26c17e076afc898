import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';

/** What a worker of `stryke start` tells the primary when the app fails to boot: `{ type, message }`, the error's one line. */
export const BOOT_FAILED = 'stryke:boot-failed';

export interface ClusterOptions {
  workers: number;
  /** Milliseconds a worker gets to finish in-flight requests after SIGTERM before it is killed. */
  shutdownTimeout: number;
  log?: (line: string) => void;
  /** `[metrics]` of config/server.toml: when enabled, the primary serves the workers' metrics merged. */
  metrics?: import('../observability').MetricsSettings;
}

export function defaultWorkerCount(configured?: unknown): number {
  const n = Number(configured);
  return Number.isInteger(n) && n > 0 ? n : availableParallelism();
}

/**
 * The supervising primary of `stryke start`: forks one worker per core (they share the listening
 * socket), replaces a worker that dies, drains every worker on SIGTERM/SIGINT, and on SIGHUP replaces
 * workers one at a time, starting each new one before stopping an old one, so no request is refused.
 */
export function runPrimary(options: ClusterOptions): void {
  const log = options.log ?? ((l: string) => console.log(l));
  let stopping = false;
  const recentCrashes: number[] = [];

  const fork = (): Worker => cluster.fork({ STRYKE_WORKER: '1' });

  const stopWorker = (w: Worker) =>
    new Promise<void>((resolveStop) => {
      if (w.isDead()) return resolveStop();
      const timer = setTimeout(() => w.process.kill('SIGKILL'), options.shutdownTimeout);
      w.once('exit', () => {
        clearTimeout(timer);
        resolveStop();
      });
      w.send('stryke:shutdown');
    });

  const whenReady = (w: Worker) =>
    new Promise<boolean>((resolveReady) => {
      const onMsg = (m: any) => {
        if (m?.type === 'stryke:ready') {
          w.off('exit', onExit);
          resolveReady(true);
        }
      };
      const onExit = () => resolveReady(false);
      w.on('message', onMsg);
      w.once('exit', onExit);
    });

  // A worker that fails to boot before any worker has served (a missing secret, a bad config, an app that
  // does not load) will fail the same way every time: stop at once with its one line, not after a crash loop.
  let served = false;
  cluster.on('message', (worker, m: any) => {
    if (m?.type === 'stryke:ready') served = true;
    if (m?.type !== BOOT_FAILED || stopping) return;
    if (served) {
      log(`worker ${worker.process.pid} failed to boot: ${m.message}`);
      return;
    }
    stopping = true;
    process.stderr.write(`stryke: ${m.message}\n`);
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    process.exit(1);
  });

  cluster.on('exit', (worker, code, signal) => {
    if (stopping || (worker as any).strykeRetired) return;
    const now = Date.now();
    recentCrashes.push(now);
    while (recentCrashes.length && now - recentCrashes[0]! > 10_000) recentCrashes.shift();
    if (recentCrashes.length > options.workers * 5) {
      log(`stryke: workers keep crashing (${recentCrashes.length} in 10s); stopping. Check the log above.`);
      process.exit(1);
    }
    log(`worker ${worker.process.pid} died (${signal ?? `exit ${code}`}); starting a replacement`);
    fork();
  });

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: draining ${Object.keys(cluster.workers ?? {}).length} worker(s)`);
    await Promise.all(Object.values(cluster.workers ?? {}).map((w) => stopWorker(w!)));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  let reloading = false;
  process.on('SIGHUP', async () => {
    if (reloading || stopping) return;
    reloading = true;
    log('SIGHUP: replacing workers one by one');
    for (const old of Object.values(cluster.workers ?? {})) {
      const fresh = fork();
      if (!(await whenReady(fresh))) {
        log('reload aborted: a new worker failed to boot; the old workers keep serving');
        break;
      }
      (old as any).strykeRetired = true;
      await stopWorker(old!);
    }
    reloading = false;
  });

  for (let i = 0; i < options.workers; i++) fork();
  if (options.metrics?.enabled) {
    const { serveClusterMetrics } = require('../observability') as typeof import('../observability');
    serveClusterMetrics(options.metrics).then(
      (s) => {
        const a = s.address();
        log(`stryke: metrics on ${typeof a === 'object' && a ? `http://${a.address}:${a.port}` : a}${options.metrics!.path}`);
      },
      (err: Error) => log(`stryke: metrics not served: ${err.message}`),
    );
  }
}
