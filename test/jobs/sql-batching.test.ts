import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue, Worker } from 'bullmq';
import { jobTarget, until, type JobTarget } from './targets';

/**
 * The SQL queue coalesces concurrent adds and a worker's finishing jobs into shared transactions; what
 * each caller sees must stay its own: its own id, its own error, its own job's result.
 */
for (const name of ['sqlite', 'mysql'] as const) {
  describe(`jobs on ${name}: shared transactions keep each call's outcome its own`, () => {
    let target: JobTarget;
    const closing: Array<{ close(): Promise<void> }> = [];
    before(async () => {
      target = await jobTarget(name, 'batching');
    });
    after(async () => {
      await Promise.all(closing.map((c) => c.close().catch(() => undefined)));
      await target.cleanup();
    });

    it('concurrent adds: one refused job fails only its own call', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const queue = new Queue('adds', target.opts as any, target.factory as any);
      closing.push(queue);
      await queue.waitUntilReady();
      const calls = Array.from({ length: 40 }, (_, i) =>
        i === 17 ? queue.add('child', { i }, { parent: { id: 'p1', queue: 'parents' } }) : queue.add('plain', { i }));
      const settled = await Promise.allSettled(calls);
      const refused = settled.filter((s) => s.status === 'rejected');
      assert.equal(refused.length, 1);
      assert.equal(settled[17]!.status, 'rejected');
      assert.match(String((refused[0] as PromiseRejectedResult).reason?.message), /Missing key for parent job .*parents:p1/);
      const ids = settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<{ id?: string }>).value.id);
      assert.equal(new Set(ids).size, 39, 'every other add got its own id');
      assert.equal((await queue.getJobCounts('waiting')).waiting, 39);
      const stored = await Promise.all(ids.map((id) => queue.getJob(id!)));
      assert.deepEqual(stored.map((j) => j!.data.i).sort((a, b) => a - b), [...Array(40).keys()].filter((i) => i !== 17));
    });

    it('a worker finishing many jobs at once records each one\'s own result, once', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const queue = new Queue('finish', target.opts as any, target.factory as any);
      closing.push(queue);
      const N = 300;
      await queue.addBulk(Array.from({ length: N }, (_, i) => ({ name: i % 10 === 0 ? 'bad' : 'good', data: { i } })));
      const ran = new Map<number, number>();
      const worker = new Worker('finish', async (job) => {
        ran.set(job.data.i, (ran.get(job.data.i) ?? 0) + 1);
        if (job.name === 'bad') throw new Error(`bad ${job.data.i}`);
        return job.data.i * 2;
      }, { ...target.opts, concurrency: 16 } as any, target.factory as any);
      closing.push(worker);
      await until('every job to finish', async () => {
        const c = await queue.getJobCounts('completed', 'failed');
        return c.completed! + c.failed! === N;
      }, 60_000);
      assert.deepEqual(await queue.getJobCounts('completed', 'failed', 'active', 'waiting'), { completed: N - N / 10, failed: N / 10, active: 0, waiting: 0 });
      assert.ok([...ran.values()].every((n) => n === 1) && ran.size === N, 'each job ran once');
      for (const job of await queue.getJobs(['completed'], 0, -1)) assert.equal(job.returnvalue, job.data.i * 2);
      for (const job of await queue.getJobs(['failed'], 0, -1)) assert.equal(job.failedReason, `bad ${job.data.i}`);
    });

    it('removeOnComplete with a count keeps about that many, the last to finish', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const queue = new Queue('keep', target.opts as any, target.factory as any);
      closing.push(queue);
      const N = 400;
      await queue.addBulk(Array.from({ length: N }, (_, i) => ({ name: 'job', data: { i } })));
      const finished: number[] = [];
      const worker = new Worker('keep', async (job) => job.data.i, { ...target.opts, concurrency: 16, removeOnComplete: { count: 50 } } as any, target.factory as any);
      closing.push(worker);
      worker.on('completed', (job) => finished.push(job.data.i));
      await until('every job to finish', async () => finished.length === N, 60_000);
      const kept = await queue.getJobs(['completed'], 0, -1);
      // Trimmed every count/10 finishes: between 50 and 55 remain.
      assert.ok(kept.length >= 50 && kept.length <= 55, `kept ${kept.length}`);
      assert.equal((await queue.getJobCounts('completed')).completed, kept.length);
      // The trim removes the oldest: the job that finished last is among those kept.
      assert.ok(kept.some((j) => j.data.i === finished[N - 1]), 'the last job to finish is kept');
    });

    it('claims take the next jobs when another transaction holds the first ones (MySQL)', async (t) => {
      if (target.skip) return t.skip(target.skip);
      if (name !== 'mysql') return t.skip('row locks are MySQL\'s (SQLite serializes writers)');
      const queue = new Queue('held', target.opts as any, target.factory as any);
      closing.push(queue);
      const N = 40;
      const jobs = await queue.addBulk(Array.from({ length: N }, (_, i) => ({ name: 'job', data: { i } })));
      const driver = await import('mysql2/promise');
      const c = await driver.createConnection({ host: '127.0.0.1', user: 'root', password: '', database: target.opts.connection.database });
      try {
        await c.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
        await c.query('START TRANSACTION');
        // The first 12 jobs: more than a 4-slot worker reads as candidates (2 per slot).
        const held = jobs.slice(0, 12).map((j) => j.id!);
        await c.query(`SELECT id FROM stryke_jobs FORCE INDEX (PRIMARY) WHERE queue = 'held' AND id IN (${held.map(() => '?').join(', ')}) FOR UPDATE`, held);
        const ran: number[] = [];
        const worker = new Worker('held', async (job) => {
          ran.push(job.data.i);
        }, { ...target.opts, concurrency: 4 } as any, target.factory as any);
        closing.push(worker);
        await until('the jobs not held to run', async () => ran.length === N - 12, 30_000);
        assert.ok(ran.every((i) => i >= 12), 'no held job ran');
        await c.query('COMMIT');
        await until('every job to run', async () => ran.length === N, 30_000);
        assert.deepEqual([...ran].sort((a, b) => a - b), [...Array(N).keys()]);
      } finally {
        await c.end();
      }
    });
  });
}
