import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { FlowProducer, Queue, Worker, type Job as BullJob } from 'bullmq';
import {
  ApplicationJob, configureJobs, createDatabaseBackend, createSqliteBackend, Job, jobsSetup, queueFor, readJobsConfig, startJobWorkers, stopJobs,
} from 'stryke/jobs';
import { until } from './targets';

const performed: string[] = [];

@Job({ queue: 'framework-test', attempts: 2, backoff: { type: 'fixed', delay: 20 } })
class GreetJob extends ApplicationJob {
  async perform(name: string, times: number) {
    if (name === 'flaky' && this.job && this.job.attemptsMade === 0) throw new Error('first try fails');
    performed.push(`${name}x${times}`);
    await this.job?.updateProgress(100);
    return `hello ${name}`;
  }
}

class Clock {
  now() {
    return 0;
  }
}

@Job({ queue: 'framework-test' })
class NeedsAClock extends ApplicationJob {
  constructor(private readonly clock: Clock) {
    super();
  }

  async perform() {
    return this.clock.now();
  }
}

class NotAJob extends ApplicationJob {
  async perform() {}
}

describe('stryke/jobs: @Job classes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-jobs-fw-'));
  before(() => configureJobs({ url: `sqlite:${join(dir, 'jobs.sqlite3')}` }));
  after(async () => {
    await stopJobs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('performNow runs perform here, without a queue', async () => {
    assert.equal(await GreetJob.performNow('now', 1), 'hello now');
    assert.deepEqual(performed.splice(0), ['nowx1']);
  });

  it('performLater, performIn and performAt enqueue with the class options; a worker performs them', async () => {
    const later = await GreetJob.performLater('later', 2);
    const inMs = await GreetJob.performIn(60_000, 'in', 3);
    const at = await GreetJob.performAt(new Date(Date.now() + 120_000), 'at', 4);
    const queue = queueFor('framework-test');
    assert.equal(later.name, 'GreetJob');
    assert.deepEqual(later.data, { args: ['later', 2] });
    assert.equal(later.opts.attempts, 2);
    assert.equal(await queue.getJobState(inMs.id!), 'delayed');
    assert.equal(await queue.getJobState(at.id!), 'delayed');
    const atJob = await queue.getJob(at.id!);
    assert.ok(atJob!.delay > 60_000 && atJob!.delay <= 120_000, `performAt delays to the date (${atJob!.delay} ms)`);

    const flaky = await GreetJob.performLater('flaky', 5);
    const workers = startJobWorkers({ queues: ['framework-test'], concurrency: 2 });
    await until('the later and flaky jobs', async () => (await queue.getJobState(flaky.id!)) === 'completed' && (await queue.getJobState(later.id!)) === 'completed');
    const done = await queue.getJob(flaky.id!);
    assert.equal(done?.returnvalue, 'hello flaky');
    assert.equal(done?.attemptsMade, 2, 'retried per @Job({ attempts: 2 })');
    assert.deepEqual(performed.splice(0).sort(), ['flakyx5', 'laterx2']);
    await queue.promoteJobs();
    await until('the delayed jobs once promoted', async () => (await queue.getJobCounts('completed')).completed === 4);
    assert.deepEqual(performed.splice(0).sort(), ['atx4', 'inx3']);
    await workers.close();
  });

  it('a job name no class answers to fails without retrying', async () => {
    const queue = queueFor('framework-test');
    const job = await queue.add('NoSuchJob', { args: [] }, { attempts: 3 });
    const workers = startJobWorkers({ queues: ['framework-test'] });
    await until('the failure', async () => (await queue.getJobState(job.id!)) === 'failed');
    const failed = (await queue.getJob(job.id!)) as BullJob;
    assert.match(failed.failedReason, /no @Job class has that name/);
    assert.equal(failed.attemptsMade, 1);
    await workers.close();
  });

  it('a job whose constructor asks for services cannot be built without an app container', async () => {
    await assert.rejects(() => NeedsAClock.performNow(), { code: 'STRYKE_E_JOBS_NO_CONTAINER', message: /^NeedsAClock takes constructor parameters/ });
  });

  it('refuses a class without @Job', async () => {
    await assert.rejects(() => NotAJob.performLater(), { code: 'STRYKE_E_JOBS_NOT_A_JOB' });
  });
});

describe('stryke/jobs: config and backends', () => {
  it('reads config/jobs.toml and validates it', () => {
    assert.deepEqual(readJobsConfig({ jobs: { backend: 'redis', workers_per_core: 2, concurrency: 3, queues: ['a'] } }), {
      backend: 'redis', url: undefined, workersPerCore: 2, concurrency: 3, queues: ['a'],
    });
    assert.equal(readJobsConfig({ env: 'test' }).workersPerCore, 0);
    assert.throws(() => readJobsConfig({ jobs: { backend: 'kafka' } }), { code: 'STRYKE_E_JOBS_BAD_CONFIG' });
    assert.throws(() => readJobsConfig({ jobs: { concurrency: 0 } }), { code: 'STRYKE_E_JOBS_BAD_CONFIG' });
  });

  it('picks the backend from the app database, redis or memory', () => {
    const root = '/srv/app';
    assert.deepEqual(jobsSetup(root, { database: { adapter: 'sqlite', database: 'db/dev.sqlite3' } }), { url: 'sqlite:/srv/app/db/dev.sqlite3', appDatabase: 'sqlite' });
    assert.deepEqual(jobsSetup(root, { database: { adapter: 'mysql', database: 'blog', host: 'db', username: 'app', password: 'p w' } }), {
      url: 'mysql://app:p%20w@db:3306/blog', appDatabase: 'mysql',
    });
    assert.deepEqual(jobsSetup(root, { jobs: { backend: 'redis', url: 'redis://cache:6380/1' } }), { url: 'redis://cache:6380/1' });
    assert.deepEqual(jobsSetup(root, { jobs: { backend: 'memory' } }), { url: 'sqlite::memory:' });
  });

  it('createDatabaseBackend refuses an unknown scheme', () => {
    assert.throws(() => createDatabaseBackend('mongodb://x/y'), { code: 'STRYKE_E_JOBS_BAD_URL' });
  });

  it('flows, worker listing, metrics and every deduplication mode run on the SQL queue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stryke-jobs-flow-'));
    const connection = { filename: join(dir, 'flows.sqlite3') };
    const flows = new FlowProducer({ connection } as any, createSqliteBackend as any);
    const tree = await flows.add({ name: 'parent', queueName: 'f', children: [{ name: 'a', queueName: 'f', data: { n: 1 } }, { name: 'b', queueName: 'g', data: { n: 2 } }] });
    const queue = new Queue('f', { connection } as any, createSqliteBackend as any);
    assert.equal(await queue.getJobState(tree.job.id!), 'waiting-children');
    const run = (q: string) => new Worker(q, async (job: BullJob) => (job.name === 'parent' ? job.getChildrenValues() : job.data.n * 10), { connection, metrics: { maxDataPoints: 60 } } as any, createSqliteBackend as any);
    const workers = [run('f'), run('g')];
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    assert.equal(await queue.getWorkersCount(), 1, 'the worker of queue f is listed');
    let parent: BullJob | undefined;
    for (let i = 0; i < 200 && !(parent = await queue.getJob(tree.job.id!))?.finishedOn; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(parent!.returnvalue, { [`f:${tree.children![0]!.job.id}`]: 10, [`g:${tree.children![1]!.job.id}`]: 20 });
    assert.equal((await queue.getMetrics('completed')).meta.count, 2, 'the child a and the parent');
    const first = await queue.add('x', {}, { deduplication: { id: 'd', ttl: 60_000, extend: true } });
    assert.equal((await queue.add('x', {}, { deduplication: { id: 'd', ttl: 60_000, extend: true } })).id, first.id);
    await Promise.all(workers.map((w) => w.close()));
    assert.equal(await queue.getWorkersCount(), 0, 'a closed worker leaves the list');
    await flows.close();
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stryke/jobs re-exports BullMQ\'s classes without loading BullMQ until one is used', () => {
    const script = `const j = require(${JSON.stringify(require.resolve('../../framework/jobs'))});
const loaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/bullmq/'));
const before = loaded();
const ok = [j.Queue, j.Worker, j.QueueEvents, j.FlowProducer, j.BullMQJob, j.UnrecoverableError].every((c) => typeof c === 'function');
process.stdout.write(JSON.stringify({ before, ok, same: j.Queue === require('bullmq').Queue }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    assert.deepEqual(out, { before: false, ok: true, same: true });
  });

  it('workers stryke starts hold a 10 s lock renewed every 5 s and check for stalled jobs every 5 s, unless told otherwise', async () => {
    configureJobs(jobsSetup('/nowhere', { jobs: { backend: 'memory' } }));
    const set = startJobWorkers({ queues: ['locks'] });
    const custom = startJobWorkers({ queues: ['locks'], workerOptions: { lockDuration: 60_000 } });
    assert.deepEqual([set.workers[0]!.opts.lockDuration, set.workers[0]!.opts.lockRenewTime, set.workers[0]!.opts.stalledInterval], [10_000, 5_000, 5_000]);
    assert.equal(custom.workers[0]!.opts.lockDuration, 60_000);
    await stopJobs();
  });

  it('the SQL queue refuses misuse with coded errors that keep BullMQ\'s words', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stryke-jobs-refusals-'));
    const connection = { filename: join(dir, 'refusals.sqlite3') };
    const queue = new Queue('refusals', { connection } as any, createSqliteBackend as any);
    const closeLater: (() => Promise<unknown>)[] = [];
    let release!: () => void;
    const running = new Promise<void>((started) => {
      const worker = new Worker('refusals', () => new Promise<void>((done) => {
        release = () => void done();
        started();
      }), { connection } as any, createSqliteBackend as any);
      closeLater.push(() => worker.close());
    });
    try {
      await queue.add('x', {});
      await running;
      await assert.rejects(() => queue.obliterate(), { code: 'STRYKE_E_JOBS_ACTIVE_JOBS', message: /^Cannot obliterate queue with active jobs \("refusals" has 1 running\)/ });
      await assert.rejects(() => (queue.getBackend() as unknown as { isJobInState(s: string, id: string): Promise<boolean> }).isJobInState('finished', '1'), {
        code: 'STRYKE_E_JOBS_UNKNOWN_STATE', message: /^Unknown job state: finished/,
      });
      release();
    } finally {
      for (const close of closeLater) await close();
      await queue.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the memory backend keeps jobs in this process', async () => {
    configureJobs(jobsSetup('/nowhere', { jobs: { backend: 'memory' } }));
    const q = queueFor('mem');
    await q.add('x', { a: 1 });
    assert.equal((await q.getJobCounts('waiting')).waiting, 1);
    await stopJobs();
    assert.equal(existsSync('/nowhere'), false, 'nothing written to disk');
    configureJobs(jobsSetup('/nowhere', { jobs: { backend: 'memory' } }));
    assert.equal((await queueFor('mem').getJobCounts('waiting')).waiting, 0, 'gone once the process closed it');
    await stopJobs();
  });
});
