import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { burst, type BurstResult } from './drive';
import { ProfErrors } from './errors';
import { flameGraphHtml, type CpuProfile } from './flamegraph';

export interface ProfileOptions {
  root: string;
  env: string;
  /** The path requested (GET), on this host. */
  path: string;
  /** At most this long driving requests. */
  seconds: number;
  /** At most this many requests. */
  count: number;
  concurrency: number;
  /** The HTML file to write (a .cpuprofile is written beside it). */
  out: string;
  /** The sampling interval in microseconds. */
  interval?: number;
}

export interface ProfileResult { html: string; cpuprofile: string; burst: BurstResult }

const BOOT_LIMIT_MS = 5 * 60_000;

/** Checks a --path: a path on this host (the requests never leave loopback). */
export function checkPath(path: string): string {
  if (!path.startsWith('/') || path.startsWith('//') || path.length > 2000 || /[\s\x00-\x1f\x7f]/.test(path)) {
    throw ProfErrors.BAD_OPTION(`--path must be a path on the app, starting with one "/", such as /posts; got ${JSON.stringify(path.slice(0, 100))}`);
  }
  return path;
}

/**
 * Profiles the app at `root`: boots it in a child process under V8's CPU profiler (one process, loopback),
 * drives a bounded burst of GET requests at `path` from this process, then writes the profile and its
 * flame graph.
 */
export async function profileApp(options: ProfileOptions): Promise<ProfileResult> {
  const path = checkPath(options.path);
  const html = resolve(options.out);
  const cpuprofile = html.replace(/\.html?$/i, '') + '.cpuprofile';
  mkdirSync(dirname(html), { recursive: true });
  // The burst comes from one address, which the app-wide rate limit (on in production) would answer with 429
  // after its first thousand: off in the profiled process, so the profile is of the app, not of refusals.
  const env = { ...process.env, STRYKE_ENV: options.env, STRYKE_SERVER__RATE_LIMIT__ENABLED: 'false' };
  const child = fork(join(__dirname, 'child.js'), [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: Array<(m: any) => void> = [];
  child.on('message', (m) => messages.shift()?.(m));
  child.on('error', () => { /* a send to a child that died: reported by next() as its exit */ });
  const next = (what: string, limit: number) => new Promise<any>((res, rej) => {
    if (child.exitCode !== null || child.signalCode !== null) return rej(ProfErrors.APP_FAILED(`it exited (code ${child.exitCode ?? child.signalCode}) while ${what}`));
    const timer = setTimeout(() => rej(ProfErrors.APP_FAILED(`no answer in ${limit / 1000} s while ${what}`)), limit);
    const exit = (code: number | null) => rej(ProfErrors.APP_FAILED(`it exited (code ${code}) while ${what}`));
    child.once('exit', exit);
    messages.push((m) => {
      clearTimeout(timer);
      child.off('exit', exit);
      res(m);
    });
  });
  try {
    child.send({ root: options.root, env: options.env, interval: options.interval ?? 200 });
    const ready = await next('booting', BOOT_LIMIT_MS);
    if (ready.type !== 'ready') throw ProfErrors.APP_FAILED(ready.message ?? 'it did not say why');
    const result = await burst(ready.port, path, { seconds: options.seconds, count: options.count, concurrency: options.concurrency });
    if (child.connected) child.send({ type: 'stop', file: cpuprofile });
    await next('writing the profile', 60_000);
    if (result.requests === 0) throw ProfErrors.NO_ANSWER(path, result.firstError ?? 'no response');
    const profile = JSON.parse(readFileSync(cpuprofile, 'utf8')) as CpuProfile;
    const statuses = Object.entries(result.statuses).map(([s, n]) => `${n} × ${s}`).join(', ');
    writeFileSync(html, flameGraphHtml(profile, {
      title: `CPU profile: GET ${path}`,
      subtitle: `${result.requests} requests in ${(result.ms / 1000).toFixed(1)} s (${statuses}), ${options.env}, ${new Date().toISOString()}`,
      root: resolve(options.root),
      frameworkDir: resolve(__dirname, '..'),
    }));
    return { html, cpuprofile, burst: result };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
