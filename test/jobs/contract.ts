import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job, type Processor } from 'bullmq';
import { jobTarget, sleep, until, type JobTarget } from './targets';

/**
 * BullMQ's API, unchanged, on one backend: the same cases run on SQLite, MariaDB (stryke's SQL queue),
 * PostgreSQL (BullMQ's backend) and Redis.
 */
export function contractSuite(name: JobTarget['name']): void {
  describe(`jobs contract on ${name}`, () => {
    let target: JobTarget;
    let n = 0;
    const open: { close(): Promise<unknown> }[] = [];

    before(async () => {
      target = await jobTarget(name, 'contract');
    });
    after(async () => {
      await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
      await target.cleanup();
    });

    const skip = () => target.skip;
    const qname = () => `q${++n}`;
    const queue = (q: string, extra: object = {}) => track(new Queue(q, { ...target.opts, ...extra } as any, target.factory as any));
    const events = async (q: string) => {
      const e = track(new QueueEvents(q, { ...target.opts, blockingTimeout: 200 } as any, target.factory as any));
      await e.waitUntilReady();
      await sleep(50);
      return e;
    };
    const worker = (q: string, fn: Processor, extra: object = {}) =>
      track(new Worker(q, fn, { ...target.opts, drainDelay: 0.2, ...extra } as any, target.factory as any));
    function track<T extends { close(): Promise<unknown> }>(x: T): T {
      open.push(x);
      return x;
    }

    it('adds, processes and reports a job (getJob, getJobState, getJobCounts, completed event)', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      const ev = await events(q);
      const completed: string[] = [];
      ev.on('completed', ({ jobId, returnvalue }) => completed.push(`${jobId}=${JSON.stringify(returnvalue)}`));
      const job = await qu.add('double', { x: 21 });
      assert.equal(await qu.getJobState(job.id!), 'waiting');
      assert.equal((await qu.getJobCounts()).waiting, 1);
      const w = worker(q, async (j) => j.data.x * 2);
      await until('completion', async () => (await qu.getJobState(job.id!)) === 'completed');
      const done = await qu.getJob(job.id!);
      assert.equal(done?.returnvalue, 42);
      assert.equal(done?.attemptsMade, 1);
      await until('the completed event', () => completed.length === 1);
      assert.deepEqual(completed, [`${job.id}=42`]);
      assert.deepEqual((await qu.getJobs(['completed'])).map((j) => j.id), [job.id]);
      await w.close();
    });

    it('addBulk with delay: delayed jobs wait, then run', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      const [now, later] = await qu.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {}, opts: { delay: 400 } }]);
      assert.equal(await qu.getJobState(later!.id!), 'delayed');
      const order: string[] = [];
      const w = worker(q, async (j) => void order.push(j.name));
      await until('both jobs', () => order.length === 2);
      assert.deepEqual(order, ['a', 'b']);
      assert.equal(await qu.getJobState(now!.id!), 'completed');
      await w.close();
    });

    it('retries with fixed, exponential and custom backoff, then succeeds', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      const fixed = await qu.add('fixed', {}, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
      const expo = await qu.add('expo', {}, { attempts: 3, backoff: { type: 'exponential', delay: 50 } });
      const custom = await qu.add('custom', {}, { attempts: 3, backoff: { type: 'mine' } });
      const seen: Record<string, number> = {};
      const strategyCalls: number[] = [];
      const w = worker(q, async (j: Job) => {
        seen[j.name] = (seen[j.name] ?? 0) + 1;
        if (j.attemptsMade < 2) throw new Error(`try ${j.attemptsMade}`);
        return 'ok';
      }, { settings: { backoffStrategy: (made: number) => (strategyCalls.push(made), 30) } });
      await until('three completions', async () => (await qu.getJobCounts('completed')).completed === 3);
      assert.deepEqual(seen, { fixed: 3, expo: 3, custom: 3 });
      assert.deepEqual(strategyCalls, [1, 2]);
      for (const j of [fixed, expo, custom]) assert.equal((await qu.getJob(j.id!))?.attemptsMade, 3);
      await w.close();
    });

    it('de-duplicates by jobId and emits duplicated', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      const ev = await events(q);
      const dups: string[] = [];
      ev.on('duplicated', ({ jobId }) => dups.push(jobId));
      const a = await qu.add('x', { v: 1 }, { jobId: 'unique-1' });
      const b = await qu.add('x', { v: 2 }, { jobId: 'unique-1' });
      assert.equal(a.id, 'unique-1');
      assert.equal(b.id, 'unique-1');
      assert.equal((await qu.getJobCounts('waiting')).waiting, 1);
      assert.deepEqual((await qu.getJob('unique-1'))?.data, { v: 1 });
      await until('the duplicated event', () => dups.length === 1);
      assert.deepEqual(dups, ['unique-1']);
    });

    it('orders by priority, then FIFO, with lifo jobs first among equals', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      await qu.add('p3', {}, { priority: 3 });
      await qu.add('plain1', {});
      await qu.add('p1', {}, { priority: 1 });
      await qu.add('plain2', {});
      await qu.add('lifo', {}, { lifo: true });
      assert.equal(await qu.getJobState((await qu.getJobs(['prioritized']))[0]!.id!), 'prioritized');
      const order: string[] = [];
      const w = worker(q, async (j) => void order.push(j.name), { concurrency: 1 });
      await until('five jobs', () => order.length === 5);
      assert.deepEqual(order, ['lifo', 'plain1', 'plain2', 'p1', 'p3']);
      await w.close();
    });

    it('removeOnComplete and removeOnFail', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      const gone = await qu.add('ok', {}, { removeOnComplete: true });
      const kept = await qu.add('bad', {}, { removeOnFail: 1 });
      const kept2 = await qu.add('bad', {}, { removeOnFail: 1 });
      const w = worker(q, async (j) => {
        if (j.name === 'bad') throw new Error('nope');
      }, { concurrency: 1 });
      await until('the last failure', async () => (await qu.getJobState(kept2.id!)) === 'failed');
      assert.equal(await qu.getJob(gone.id!), undefined);
      assert.equal(await qu.getJob(kept.id!), undefined);
      assert.equal((await qu.getJob(kept2.id!))?.failedReason, 'nope');
      await w.close();
    });

    it('runs `concurrency` jobs at once and no more', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      await qu.addBulk(Array.from({ length: 6 }, (_, i) => ({ name: 'c', data: { i } })));
      let active = 0;
      let peak = 0;
      const w = worker(q, async () => {
        active++;
        peak = Math.max(peak, active);
        await until('three at once', () => peak >= 3 || active >= 3, 5000).catch(() => undefined);
        await sleep(20);
        active--;
      }, { concurrency: 3 });
      await until('six jobs', async () => (await qu.getJobCounts('completed')).completed === 6);
      assert.equal(peak, 3);
      await w.close();
    });

    it('renews the lock of a long job, and recovers a stalled one on another worker', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      const ev = await events(q);
      const stalled: string[] = [];
      ev.on('stalled', ({ jobId }) => stalled.push(jobId));
      const long = await qu.add('long', {});
      const fast = { lockDuration: 400, stalledInterval: 200 };
      const w1 = worker(q, async () => sleep(1200), fast);
      await until('the long job', async () => (await qu.getJobState(long.id!)) === 'completed');
      assert.equal(stalled.length, 0, 'a renewed lock is not stalled');
      await w1.close();

      const lost = await qu.add('lost', {});
      let started = false;
      const hung = worker(q, async () => {
        started = true;
        await new Promise(() => undefined);
      }, { ...fast, skipLockRenewal: true, skipStalledCheck: true });
      await until('the hung worker to take the job', () => started);
      const results: string[] = [];
      const w2 = worker(q, async (j) => void results.push(j.id!), fast);
      await until('the stalled job to run again', () => results.includes(lost.id!), 8000);
      await until('the stalled event', () => stalled.includes(lost.id!));
      await w2.close();
      await hung.close(true).catch(() => undefined);
    });

    it('fails at once on UnrecoverableError whatever the attempts', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      const ev = await events(q);
      const failed: string[] = [];
      ev.on('failed', ({ failedReason }) => failed.push(failedReason));
      const job = await qu.add('x', {}, { attempts: 5 });
      const w = worker(q, async () => {
        throw new UnrecoverableError('give up');
      });
      await until('the failure', async () => (await qu.getJobState(job.id!)) === 'failed');
      assert.equal((await qu.getJob(job.id!))?.attemptsMade, 1);
      await until('the failed event', () => failed.length === 1);
      assert.deepEqual(failed, ['give up']);
      await w.close();
    });

    it('updateProgress (progress event) and log', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      const ev = await events(q);
      const progress: unknown[] = [];
      ev.on('progress', ({ data }) => progress.push(data));
      const job = await qu.add('p', {});
      const w = worker(q, async (j) => {
        await j.updateProgress(50);
        await j.log('half way');
        await j.updateProgress({ step: 'done' });
        await j.log('finished');
      });
      await until('completion', async () => (await qu.getJobState(job.id!)) === 'completed');
      await until('two progress events', () => progress.length === 2);
      assert.deepEqual(progress, [50, { step: 'done' }]);
      assert.deepEqual((await qu.getJob(job.id!))?.progress, { step: 'done' });
      const logs = await qu.getJobLogs(job.id!);
      assert.deepEqual(logs, { logs: ['half way', 'finished'], count: 2 });
      await w.close();
    });

    it('job schedulers: every and cron pattern', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      await qu.upsertJobScheduler('tick', { every: 150 }, { name: 'tick', data: { kind: 'every' } });
      await qu.upsertJobScheduler('cron', { pattern: '* * * * * *' }, { name: 'cron', data: { kind: 'cron' } });
      const runs: string[] = [];
      const w = worker(q, async (j) => void runs.push(j.data.kind));
      await until('three every runs and a cron run', () => runs.filter((r) => r === 'every').length >= 3 && runs.includes('cron'), 8000);
      const schedulers = await qu.getJobSchedulers();
      assert.deepEqual(schedulers.map((s) => s.key).sort(), ['cron', 'tick']);
      assert.equal(schedulers.find((s) => s.key === 'tick')?.every, 150);
      assert.equal(schedulers.find((s) => s.key === 'cron')?.pattern, '* * * * * *');
      await qu.removeJobScheduler('tick');
      await qu.removeJobScheduler('cron');
      assert.equal(await qu.getJobSchedulersCount(), 0);
      await w.close();
    });

    it('deduplication by id (and ttl) keeps one job and emits deduplicated', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      const ev = await events(q);
      const deduped: string[] = [];
      ev.on('deduplicated', ({ jobId, deduplicationId }) => deduped.push(`${deduplicationId}:${jobId}`));
      const a = await qu.add('x', { v: 1 }, { deduplication: { id: 'report' } });
      const b = await qu.add('x', { v: 2 }, { deduplication: { id: 'report' } });
      assert.equal(b.id, a.id);
      assert.equal(await qu.getDeduplicationJobId('report'), a.id);
      const c = await qu.add('x', { v: 3 }, { deduplication: { id: 'short', ttl: 100 } });
      await sleep(250);
      const d = await qu.add('x', { v: 4 }, { deduplication: { id: 'short', ttl: 100 } });
      assert.notEqual(d.id, c.id, 'a new job once the ttl passed');
      assert.equal((await qu.getJobCounts('waiting')).waiting, 3);
      await until('the deduplicated event', () => deduped.length === 1);
      assert.deepEqual(deduped, [`report:${a.id}`]);
    });

    it('global concurrency and a rate limiter hold workers back', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      await qu.setGlobalConcurrency(1);
      await qu.addBulk(Array.from({ length: 4 }, (_, i) => ({ name: 'g', data: { i } })));
      let active = 0;
      let peak = 0;
      const job = async () => {
        active++;
        peak = Math.max(peak, active);
        await sleep(30);
        active--;
      };
      const w1 = worker(q, job, { concurrency: 3 });
      const w2 = worker(q, job, { concurrency: 3 });
      await until('four jobs', async () => (await qu.getJobCounts('completed')).completed === 4);
      assert.equal(peak, 1, 'one job at a time across both workers');
      await Promise.all([w1.close(), w2.close()]);

      const r = qname();
      const rq = queue(r);
      await rq.addBulk(Array.from({ length: 4 }, (_, i) => ({ name: 'r', data: { i } })));
      let ran = 0;
      const w3 = worker(r, async () => void ran++, { limiter: { max: 2, duration: 1500 } });
      await until('two jobs in the first window', () => ran === 2);
      assert.ok((await rq.getRateLimitTtl(2)) > 0, 'the window is used up');
      assert.equal((await rq.getJobCounts('waiting')).waiting, 2, 'the others wait for the next window');
      await until('the rest in the next window', () => ran === 4, 8000);
      await w3.close();
    });

    it('job.promote, changeDelay, changePriority, remove and retry', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      const a = await qu.add('a', {}, { delay: 60_000 });
      const b = await qu.add('b', {}, { delay: 60_000 });
      await a.promote();
      assert.equal(await qu.getJobState(a.id!), 'waiting');
      await b.changeDelay(120_000);
      assert.ok((await qu.getJob(b.id!))!.delay >= 60_000);
      const c = await qu.add('c', {}, { priority: 5 });
      await c.changePriority({ priority: 1 });
      assert.equal((await qu.getJob(c.id!))?.priority, 1);
      await b.remove();
      assert.equal(await qu.getJob(b.id!), undefined);
      const failing = await qu.add('f', {});
      const w = worker(q, async (j) => {
        if (j.name === 'f' && j.attemptsMade === 0 && !j.data.retried) throw new Error('once');
      });
      await until('the failure', async () => (await qu.getJobState(failing.id!)) === 'failed');
      await w.close();
      const job = await qu.getJob(failing.id!);
      await job!.updateData({ retried: true });
      await job!.retry('failed');
      assert.equal(await qu.getJobState(failing.id!), 'waiting');
      const w2 = worker(q, async () => 'ok');
      await until('the retried job', async () => (await qu.getJobState(failing.id!)) === 'completed');
      await w2.close();
    });

    it('pause, resume, drain, clean and obliterate', async (t) => {
      if (skip()) return t.skip(skip());
      const q = qname();
      const qu = queue(q);
      await qu.pause();
      assert.equal(await qu.isPaused(), true);
      await qu.add('a', {});
      await qu.add('b', {}, { delay: 60_000 });
      const ran: string[] = [];
      const w = worker(q, async (j) => void ran.push(j.name));
      await sleep(300);
      assert.deepEqual(ran, [], 'a paused queue runs nothing');
      const held = await qu.getJobCounts('waiting', 'paused' as any);
      assert.equal(held.waiting! + held.paused!, 1, 'the job waits (counted as paused or waiting, by backend)');
      await qu.resume();
      await until('the job after resume', () => ran.length === 1);
      await w.close();
      await qu.add('c', {});
      await qu.drain(true);
      assert.deepEqual(await qu.getJobCounts('waiting', 'delayed'), { waiting: 0, delayed: 0 });
      const cleaned = await qu.clean(0, 100, 'completed');
      assert.equal(cleaned.length, 1);
      await qu.add('d', {});
      await qu.pause();
      await qu.obliterate();
      assert.deepEqual(await qu.getJobCounts('waiting', 'completed'), { waiting: 0, completed: 0 });
    });
  });
}
