import type { Command } from 'commander';
import { lazyModule } from '../../support';
import type { JobType } from 'bullmq';
import { buildDirOf, loadAppCode } from '../../app';
import { currentEnv, loadConfig } from '../../config';
import type * as JobsConfigModule from '../../jobs';
import type * as RuntimeModule from '../../jobs';
import type * as WorkersModule from '../../jobs';
import { appRoot, compileApp } from '../app-root';
import { runRoot } from './db-support';
import { action } from '../output';

// Loaded on first use: `stryke --help` and the commands that do not need them load none of these (support/lazy.ts).
const { readJobsConfig, JobsErrors } = lazyModule(() => require('../../jobs') as typeof JobsConfigModule);
const { knownQueues, startJobs, startJobWorkers, stopJobs } = lazyModule(() => require('../../jobs') as typeof WorkersModule);
const { queueFor } = lazyModule(() => require('../../jobs') as typeof RuntimeModule);

interface JobsCliOptions {
  root?: string;
  env?: string;
  queue?: string;
  queues?: string;
  json?: boolean;
}

const STATES: JobType[] = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'];

/** Boots the jobs side of the app (config, @Job classes) without workers; returns its queue names. */
async function boot(opts: JobsCliOptions): Promise<string[]> {
  const given = appRoot(opts.root);
  if (opts.env) process.env.STRYKE_ENV = opts.env;
  const env = opts.env ?? currentEnv();
  await compileApp(given, { quiet: true });
  // In production an app with a complete build runs from dist/, as `stryke start` does: the same queues.
  const root = runRoot(given, env);
  loadAppCode(root, buildDirOf(root));
  const config = loadConfig(root, env);
  await startJobs({ root, config, workers: false, build: buildDirOf(root) });
  const listed = (opts.queues ?? opts.queue)?.split(',').map((q) => q.trim()).filter(Boolean);
  return listed?.length ? listed : [...new Set([...(readJobsConfig(config).queues ?? []), ...knownQueues(), 'default'])].sort();
}

function wholeNumber(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw JobsErrors.BAD_CONFIG(`${what} must be a whole number >= 1, got "${value}"`);
  return n;
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('background jobs: run workers, inspect and manage queues (see docs/jobs.md)');
  const common = (c: Command) => c.option('--root <dir>', 'the app directory (default: current)').option('-e, --env <env>', 'environment (default: STRYKE_ENV or development)');

  common(jobs.command('work').description('run job workers in this process until SIGTERM/SIGINT')
    .option('--queues <a,b>', 'queues to work (default: config/jobs.toml queues, else every @Job queue)')
    .option('--concurrency <n>', 'jobs each worker runs at once (default: config/jobs.toml concurrency)'))
    .action(action(async (opts: JobsCliOptions & { concurrency?: string }) => {
      const given = appRoot(opts.root);
      if (opts.env) process.env.STRYKE_ENV = opts.env;
      const env = opts.env ?? currentEnv();
      await compileApp(given, { quiet: true });
      // In production an app with a complete build runs from dist/, as `stryke start` does: the jobs its web
      // workers enqueue (into dist/db/production.sqlite3 on SQLite) are the ones this worker runs.
      const root = runRoot(given, env);
      const config = loadConfig(root, env);
      const cfg = readJobsConfig(config);
      const concurrency = opts.concurrency ? wholeNumber(opts.concurrency, '--concurrency') : cfg.concurrency;
      // The app boots as a server worker does (models bound to its database, mailers, storage, credentials, the
      // services jobs get in their constructors, the broadcast fabric that carries broadcastTo to the app's
      // sockets) but listens on nothing; its in-process workers stay off: this process is the worker.
      const { createApp } = require('../../app') as typeof import('../../app');
      const app = await createApp({ root, env, jobWorkers: 'none' });
      let observed: { address?: string; close(): Promise<void> } | undefined;
      try {
        // An app that defines no @Job (only unknown names to fail) still gets its queues.
        await (require('../../jobs/internal') as typeof import('../../jobs/internal')).ensureJobs(root);
        const listed = opts.queues?.split(',').map((q) => q.trim()).filter(Boolean);
        const queues = listed?.length ? listed : cfg.queues ?? [...new Set([...knownQueues(), 'default'])].sort();
        // Jobs performed here run under the request id and trace context their request put in their data; with
        // `[metrics] enabled` in config/server.toml, their series are served on `[metrics] jobs_port`.
        const observability = require('../../observability') as typeof import('../../observability');
        observed = await observability.observeJobWorker(config.server);
        const set = startJobWorkers({ queues, concurrency });
        console.log(`Working ${set.queues.join(', ')} (concurrency ${concurrency}, pid ${process.pid}). Stop with Ctrl-C.`);
        if (observed.address) console.log(`Metrics on ${observed.address}`);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
        console.log('Stopping: finishing jobs in progress...');
        await stopJobs();
      } finally {
        await app.close();
        await observed?.close();
      }
    }));

  common(jobs.command('stats').description('job counts per queue and state').option('--queues <a,b>', 'queues (default: every known queue)').option('--json', 'print JSON'))
    .action(action(async (opts: JobsCliOptions) => {
      const queues = await boot(opts);
      const rows: Record<string, Record<string, number>> = {};
      for (const q of queues) rows[q] = await queueFor(q).getJobCounts(...STATES);
      await stopJobs();
      if (opts.json) return void console.log(JSON.stringify(rows, null, 2));
      const header = ['queue', ...STATES];
      const table = [header, ...queues.map((q) => [q, ...STATES.map((s) => String(rows[q]![s] ?? 0))])];
      const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
      for (const r of table) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
    }));

  common(jobs.command('list').description('list jobs of a queue')
    .option('--queue <name>', 'the queue', 'default')
    .option('--state <state>', `one of ${STATES.join(', ')}`, 'failed')
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print JSON'))
    .action(action(async (opts: JobsCliOptions & { state: string; limit: string }) => {
      await boot(opts);
      if (!STATES.includes(opts.state as JobType)) throw JobsErrors.BAD_CONFIG(`--state must be one of ${STATES.join(', ')}, got "${opts.state}"`);
      const list = await queueFor(opts.queue ?? 'default').getJobs([opts.state as JobType], 0, wholeNumber(opts.limit, '--limit') - 1);
      await stopJobs();
      if (opts.json) return void console.log(JSON.stringify(list.map((j) => j.toJSON()), null, 2));
      if (list.length === 0) return void console.log(`No ${opts.state} jobs in "${opts.queue}".`);
      for (const j of list) {
        const when = new Date(j.finishedOn ?? j.processedOn ?? j.timestamp).toISOString();
        console.log(`${j.id}  ${j.name}  ${when}  attempts=${j.attemptsMade}${j.failedReason ? `  ${j.failedReason}` : ''}`);
      }
    }));

  common(jobs.command('retry').description('retry failed jobs: the given ids, or every failed job of the queue')
    .argument('[ids...]', 'job ids (default: all failed jobs)')
    .option('--queue <name>', 'the queue', 'default'))
    .action(action(async (ids: string[], opts: JobsCliOptions) => {
      await boot(opts);
      const queue = queueFor(opts.queue ?? 'default');
      let count = 0;
      if (ids.length) {
        for (const id of ids) {
          const job = await queue.getJob(id);
          if (!job) throw JobsErrors.BAD_CONFIG(`no job ${id} in queue "${opts.queue}"`);
          await job.retry('failed');
          count++;
        }
      } else {
        count = (await queue.getJobCounts('failed')).failed ?? 0;
        await queue.retryJobs({ state: 'failed' });
      }
      await stopJobs();
      console.log(`Retried ${count} failed job(s) of "${opts.queue}".`);
    }));

  common(jobs.command('purge').description('remove finished jobs of a queue (completed and failed), or everything with --all')
    .option('--queue <name>', 'the queue', 'default')
    .option('--state <state>', 'only this state (completed, failed, waiting, delayed...)')
    .option('--all', 'obliterate the queue: every job in every state (the queue is paused first)'))
    .action(action(async (opts: JobsCliOptions & { state?: string; all?: boolean }) => {
      await boot(opts);
      const queue = queueFor(opts.queue ?? 'default');
      if (opts.all) {
        await queue.pause();
        await queue.obliterate({ force: true });
        await stopJobs();
        return void console.log(`Obliterated "${opts.queue}".`);
      }
      const states = opts.state ? [opts.state] : ['completed', 'failed'];
      let removed = 0;
      for (const s of states) removed += (await queue.clean(0, 0, s as any)).length;
      await stopJobs();
      console.log(`Removed ${removed} ${states.join('/')} job(s) from "${opts.queue}".`);
    }));
}
