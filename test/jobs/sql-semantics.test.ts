import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import { FlowProducer, Queue, Worker, type Job } from 'bullmq';
import { jobTarget, type JobTarget } from './targets';

/**
 * Behaviours of the SQL queue that BullMQ's own suite pins down (benchmarks/bullmq-conformance), kept here
 * so `npm test` catches a regression without that opt-in run.
 */
const realSetTimeout = globalThis.setTimeout;
const realSleep = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

/** Polls `check` on the real clock (the test may have faked timers) for up to 20 s. */
async function eventually(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await realSleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const name of ['sqlite', 'mysql'] as const) {
  describe(`jobs on ${name}: what BullMQ's own suite expects`, () => {
    let target: JobTarget;
    let n = 0;
    const closing: Array<{ close(): Promise<unknown> }> = [];
    const track = <T extends { close(): Promise<unknown> }>(x: T): T => (closing.push(x), x);
    const queue = (q: string) => track(new Queue(q, target.opts as any, target.factory as any));
    const worker = (q: string, fn: (job: Job) => Promise<unknown>) =>
      track(new Worker(q, fn, { ...target.opts, drainDelay: 0.2 } as any, target.factory as any));

    before(async () => {
      target = await jobTarget(name, 'semantics');
    });
    after(async () => {
      mock.timers.reset();
      await Promise.all(closing.map((c) => c.close().catch(() => undefined)));
      await target.cleanup();
    });

    it('a test that fakes timers and moves the clock forward still has its due delayed job processed', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const q = `fake${++n}`;
      const qu = queue(q);
      await qu.waitUntilReady();
      const start = Date.now();
      const done: string[] = [];
      mock.timers.enable({ apis: ['Date', 'setTimeout'], now: start });
      try {
        await qu.add('later', {}, { delay: 60_000 });
        const w = worker(q, async (job) => void done.push(job.name));
        await w.waitUntilReady();
        await realSleep(300); // the worker is waiting now, on timers the test controls
        mock.timers.setTime(start + 61_000); // moves Date on, fires no timer
        await eventually('the delayed job to run', () => done.length === 1);
        assert.deepEqual(done, ['later']);
      } finally {
        mock.timers.reset();
      }
    });

    it('Job.retry() sends the job back behind delayed jobs that were already due', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const q = `retry${++n}`;
      const qu = queue(q);
      const order: string[] = [];
      let fail = true;
      const w1 = worker(q, async (job) => {
        if (fail) throw new Error('first run fails');
        order.push(job.name);
      });
      const failed = await qu.add('failing', {});
      await eventually('the first run to fail', async () => (await qu.getJobState(failed.id!)) === 'failed');
      await w1.close();
      await qu.add('due', {}, { delay: 1 });
      await realSleep(50); // due now, still delayed: nothing claimed since
      fail = false;
      await (await qu.getJob(failed.id!))!.retry();
      worker(q, async (job) => void order.push(job.name));
      await eventually('both jobs to run', () => order.length === 2);
      assert.deepEqual(order, ['due', 'failing']);
    });

    it('cleaning a failed child removes a parent of the same queue left with no pending child', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const q = `clean${++n}`;
      const qu = queue(q);
      const flow = track(new FlowProducer(target.opts as any, target.factory as any));
      const w = worker(q, async (job) => {
        if (job.data.fail) throw new Error('child fails');
      });
      const tree = await flow.add({
        name: 'parent', queueName: q, data: {},
        children: [{ name: 'ok', queueName: q, data: {} }, { name: 'bad', queueName: q, data: { fail: true } }],
      });
      await eventually('one child done and one failed', async () => {
        const c = await qu.getJobCounts('completed', 'failed');
        return c.completed === 1 && c.failed === 1;
      });
      await w.close();
      assert.equal(await tree.job.getState(), 'waiting-children');
      assert.equal((await qu.clean(0, 0, 'failed')).length, 1);
      assert.equal(await tree.job.getState(), 'unknown');
    });

    it('cleaning a failed child lets a parent of another queue go on', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const parents = `parents${++n}`;
      const children = `children${n}`;
      const cq = queue(children);
      const pq = queue(parents);
      const flow = track(new FlowProducer(target.opts as any, target.factory as any));
      const w = worker(children, async () => {
        throw new Error('child fails');
      });
      const tree = await flow.add({ name: 'parent', queueName: parents, data: {}, children: [{ name: 'bad', queueName: children, data: {} }] });
      await eventually('the child to fail', async () => (await cq.getJobCounts('failed')).failed === 1);
      await w.close();
      assert.equal(await tree.job.getState(), 'waiting-children');
      await cq.clean(0, 0, 'failed');
      assert.equal(await pq.getJobState(tree.job.id!), 'waiting');
    });
  });
}
