import cluster from 'node:cluster';
import { setFlagsFromString } from 'node:v8';

/**
 * `stryke start`'s primary boots with V8's optimizing compiler (TurboFan) held, and gets it back once its first
 * worker is ready. Loading its few dozen modules makes node's path functions hot (`normalizeString`, through
 * module resolution), and optimizing one pages in TurboFan's own machine code: 3.6 MiB of node's text, nearly
 * half of what the primary held beyond a bare `node:cluster` primary (measured with /proc/self/smaps). A primary
 * that supervises runs nothing hot while it boots; one that later relays channel messages or rate-limit counters
 * under load is optimized as usual, since the compiler is back by then.
 */
export function holdOptimizingCompiler(): void {
  setFlagsFromString('--no-opt');
}

/** Gives the optimizing compiler back when the first worker says it is ready (or, at the latest, after `ms`). */
export function releaseOptimizingCompilerOnReady(ms = 30_000): void {
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    cluster.off('message', onMessage);
    clearTimeout(timer);
    setFlagsFromString('--opt');
  };
  const onMessage = (_worker: unknown, m: { type?: string } | undefined) => {
    if (m?.type === 'stryke:ready') release();
  };
  cluster.on('message', onMessage);
  timer = setTimeout(release, ms).unref();
}
