import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { relayChannels } from '../channels/internal';
import { serveClusterRateLimits } from '../rate-limit/internal';

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

/** Crashes counted together: past a few within this window, replacements wait (see crashBackoff). */
export const CRASH_WINDOW_MS = 60_000;

/**
 * Milliseconds to wait before replacing a crashed worker, given the crashes in the window: none for the
 * first two per worker, then doubling from 100 ms up to 10 s. The primary never gives up.
 */
export function crashBackoff(crashes: number, workers: number): number {
  const free = workers * 2;
  return crashes <= free ? 0 : Math.min(10_000, 100 * 2 ** Math.min(crashes - free - 1, 10));
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
  // Workers accept from the shared socket themselves, not round-robin through this process: a connection the
  // primary handed to a worker as it exits (a reload, a crash) would otherwise be lost, its client reset.
  cluster.schedulingPolicy = cluster.SCHED_NONE;

  const fork = (): Worker => cluster.fork({ STRYKE_WORKER: '1' });
  // The workers' rate-limit counters live here, so every worker counts against the same limit.
  serveClusterRateLimits(cluster);

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

  // A worker that keeps crashing (a request that kills it, a dependency down) is replaced again and again, later
  // each time past a few quick ones: losing the service must take more than a bad request.
  const pendingForks = new Set<NodeJS.Timeout>();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping || (worker as any).strykeRetired) return;
    const now = Date.now();
    recentCrashes.push(now);
    while (recentCrashes.length && now - recentCrashes[0]! > CRASH_WINDOW_MS) recentCrashes.shift();
    const delay = crashBackoff(recentCrashes.length, options.workers);
    const why = `worker ${worker.process.pid} died (${signal ?? `exit ${code}`})`;
    if (!delay) {
      log(`${why}; starting a replacement`);
      fork();
      return;
    }
    log(`${why}; ${recentCrashes.length} crashes in ${CRASH_WINDOW_MS / 1000}s, starting a replacement in ${(delay / 1000).toFixed(1)}s`);
    const timer = setTimeout(() => {
      pendingForks.delete(timer);
      if (!stopping) fork();
    }, delay);
    pendingForks.add(timer);
  });

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    for (const timer of pendingForks) clearTimeout(timer);
    log(`${signal}: draining ${Object.keys(cluster.workers ?? {}).length} worker(s)`);
    await Promise.all(Object.values(cluster.workers ?? {}).map((w) => stopWorker(w!)));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  // A SIGHUP that arrives during a reload is not dropped: the reload runs again once this one is done, so a
  // deploy that signals twice never leaves workers on the old code.
  let reloading = false;
  let reloadAgain = false;
  const reload = async () => {
    reloading = true;
    do {
      reloadAgain = false;
      log('SIGHUP: replacing workers one by one');
      let replaced = 0;
      for (const old of Object.values(cluster.workers ?? {})) {
        if (stopping) break;
        if (!old || old.isDead() || (old as any).strykeRetired) continue;
        const fresh = fork();
        if (!(await whenReady(fresh))) {
          log('reload aborted: a new worker failed to boot; the old workers keep serving');
          break;
        }
        (old as any).strykeRetired = true;
        await stopWorker(old);
        replaced++;
      }
      if (!stopping) log(`reload done: ${replaced} worker(s) replaced`);
    } while (reloadAgain && !stopping);
    reloading = false;
  };
  process.on('SIGHUP', () => {
    if (stopping) return;
    if (reloading) {
      if (!reloadAgain) log('SIGHUP during a reload: reloading again when this one is done');
      reloadAgain = true;
      return;
    }
    void reload();
  });

  // Channels: a broadcast on one worker reaches the others through here (cluster IPC).
  relayChannels();
  for (let i = 0; i < options.workers; i++) fork();
  if (options.metrics?.enabled) {
    const { serveClusterMetrics } = require('../observability/internal') as typeof import('../observability/internal');
    serveClusterMetrics(options.metrics).then(
      (s) => {
        const a = s.address();
        log(`stryke: metrics on ${typeof a === 'object' && a ? `http://${a.address}:${a.port}` : a}${options.metrics!.path}`);
      },
      (err: Error) => log(`stryke: metrics not served: ${err.message}`),
    );
  }
}
