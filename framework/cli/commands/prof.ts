import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { lazyModule } from '../../support';
import type * as ProfilingModule from '../../profiling';
import { appRoot, compileApp } from '../app-root';
import { checkMigrated } from './db-support';
import { action } from '../output';

const { profileApp, checkPath, ProfErrors } = lazyModule(() => require('../../profiling') as typeof ProfilingModule);

interface ProfOptions { root?: string; env?: string; seconds: string; path: string; requests: string; concurrency: string; out?: string }

function bounded(value: string, what: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw ProfErrors.BAD_OPTION(`${what} must be a whole number from 1 to ${max}, got "${value}"`);
  return n;
}

export function registerProf(program: Command): void {
  program.command('prof')
    .description('profile the app: boot it (one process) under the CPU profiler, drive a burst of requests at a path, write a flame graph')
    .option('--root <dir>', 'the app directory (default: current)')
    .option('-e, --env <env>', 'environment the app runs in', 'production')
    .option('--path <path>', 'the path to request (GET)', '/')
    .option('--seconds <n>', 'drive requests for at most this long', '10')
    .option('--requests <n>', 'and at most this many requests', '5000')
    .option('--concurrency <n>', 'requests in flight at once', '8')
    .option('--out <file>', 'the flame graph to write (default: tmp/profile-<time>.html)')
    .action(action(async (opts: ProfOptions) => {
      const root = appRoot(opts.root);
      const path = checkPath(opts.path);
      const seconds = bounded(opts.seconds, '--seconds', 300);
      const count = bounded(opts.requests, '--requests', 1_000_000);
      const concurrency = bounded(opts.concurrency, '--concurrency', 256);
      await compileApp(root, { quiet: true });
      await checkMigrated(root, opts.env!);
      const out = opts.out ?? join(root, 'tmp', `profile-${new Date().toISOString().replace(/[:.]/g, '-')}.html`);
      console.log(`Profiling GET ${path} (${opts.env}, one process): up to ${count} requests in ${seconds} s, ${concurrency} at a time...`);
      const { html, cpuprofile, burst } = await profileApp({ root, env: opts.env!, path, seconds, count, concurrency, out });
      const statuses = Object.entries(burst.statuses).map(([s, n]) => `${n} × ${s}`).join(', ');
      const rate = burst.ms ? Math.round((burst.requests / burst.ms) * 1000) : 0;
      console.log(`${burst.requests} requests in ${(burst.ms / 1000).toFixed(1)} s (${rate}/s; ${statuses}${burst.errors ? `; ${burst.errors} failed: ${burst.firstError}` : ''})`);
      if (!Object.keys(burst.statuses).some((s) => Number(s) < 400)) console.log(`Note: every answer was an error (${statuses}): this profiles the error path. Check the path with \`stryke routes\`.`);
      console.log(`Flame graph: ${relative(process.cwd(), html) || html}  (open it in a browser)`);
      console.log(`Raw profile: ${relative(process.cwd(), cpuprofile) || cpuprofile}  (Chrome DevTools > Performance, or speedscope)`);
    }));
}
