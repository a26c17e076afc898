import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import { FlowProducer, Queue, QueueEvents, Worker, type Job } from 'bullmq';
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

    it('adds made together without awaiting keep their call order', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const q = `order${++n}`;
      const qu = queue(q);
      await qu.waitUntilReady();
      const jobs = await Promise.all(Array.from({ length: 40 }, (_, i) => qu.add('n', { i })));
      const waiting = await qu.getJobs(['waiting'], 0, -1, true);
      assert.deepEqual(waiting.map((j) => j.data.i), jobs.map((_, i) => i));
    });

    it('delayed jobs due in the same millisecond run in the order they were added', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const q = `same${++n}`;
      const qu = queue(q);
      const now = Date.now();
      for (let i = 1; i <= 12; i++) await qu.add('n', { i }, { delay: 200, timestamp: now });
      const seen: number[] = [];
      worker(q, async (job) => void seen.push(job.data.i));
      await eventually('all of them to run', () => seen.length === 12);
      assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => i + 1));
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

    /**
     * A worker whose processor runs until the test releases it or its job is cancelled; records which jobs
     * went active (in order) and how each ended.
     */
    function cancellable(q: string, concurrency: number, gate?: (job: Job) => Promise<void> | undefined) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const active: string[] = [];
      const ended = new Map<string, 'cancelled' | 'completed'>();
      const w = track(
        new Worker(
          q,
          async (job: Job, _token?: string, signal?: AbortSignal) => {
            const held = gate?.(job);
            if (held) return held;
            await Promise.race([released, new Promise((resolve) => signal!.addEventListener('abort', resolve))]);
            ended.set(job.id!, signal!.aborted ? 'cancelled' : 'completed');
            if (signal!.aborted) throw new Error('cancelled');
          },
          { ...target.opts, concurrency } as any,
          target.factory as any,
        ),
      );
      w.on('active', (job: Job) => void active.push(job.id!));
      return { w, active, ended, release };
    }

    it('jobs added together: cancelJob on the active event of the last finds every one before it', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const q = `cancelfill${++n}`;
      const qu = queue(q);
      const N = 6;
      const { w, active, ended, release } = cancellable(q, N);
      await w.waitUntilReady();
      let answers: boolean[] = [];
      w.on('active', () => {
        // Synchronously, as the last job's event fires: every job announced before it has its abort signal.
        if (active.length === N) answers = active.slice(0, -1).map((id) => w.cancelJob(id));
      });
      await Promise.all(Array.from({ length: N }, (_, i) => qu.add('n', { i })));
      await eventually('all jobs to go active', () => active.length === N);
      release();
      assert.deepEqual(answers, new Array(N - 1).fill(true));
      await eventually('all jobs to end', () => ended.size === N);
      assert.deepEqual(active.map((id) => ended.get(id)), [...new Array(N - 1).fill('cancelled'), 'completed']);
    });

    it('next jobs claimed together by finishing jobs: cancelJob on the active event of the last finds every one before it', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const q = `cancelnext${++n}`;
      const qu = queue(q);
      const C = 3;
      // The first C jobs finish together, so one transaction records them and claims the next C.
      let open!: () => void;
      const together = new Promise<void>((resolve) => (open = resolve));
      let started = 0;
      const { w, active, ended, release } = cancellable(q, C, (job) => {
        if (job.data.i >= C) return undefined;
        if (++started === C) open();
        return together;
      });
      await w.waitUntilReady();
      let answers: boolean[] = [];
      w.on('active', () => {
        if (active.length === 2 * C) answers = active.slice(C, -1).map((id) => w.cancelJob(id));
      });
      await Promise.all(Array.from({ length: 2 * C }, (_, i) => qu.add('n', { i })));
      await eventually('all jobs to go active', () => active.length === 2 * C);
      release();
      assert.deepEqual(answers, new Array(C - 1).fill(true));
      await eventually('the second jobs to end', () => ended.size === C);
      assert.deepEqual(active.slice(C).map((id) => ended.get(id)), [...new Array(C - 1).fill('cancelled'), 'completed']);
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

    it('a worker made just before addBulk says drained only after those jobs ran', async (t) => {
      if (target.skip) return t.skip(target.skip);
      // BullMQ's worker says `drained` when its first claim finds nothing. That claim, made while the addBulk
      // called before it was still being written on another pooled connection, waits for it and looks again.
      for (let round = 0; round < 8; round++) {
        const q = `drainfirst${++n}`;
        const qu = queue(q);
        await qu.waitUntilReady();
        const w = track(new Worker(q, async () => {}, { ...target.opts, drainDelay: 1 } as any, target.factory as any));
        const drained = new Promise<void>((resolve) => w.once('drained', () => resolve()));
        await qu.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }]);
        await drained;
        await realSleep(20);
        assert.equal(await qu.getJobCountByTypes('completed'), 2, `round ${round}`);
        await w.close();
      }
    });

    it("QueueEvents hears drained when two workers finish a queue's last jobs at the same moment", async (t) => {
      if (target.skip) return t.skip(target.skip);
      // Each finishing transaction sees the other's job still active (neither committed yet); the last to
      // commit must still say it (MySQL: the drain lock in finish.ts).
      for (let round = 0; round < 5; round++) {
        const q = `drainboth${++n}`;
        const qu = queue(q);
        const qe = track(new QueueEvents(q, { ...target.opts, blockingTimeout: 200 } as any, target.factory as any));
        let drained = 0;
        qe.on('drained', () => void drained++);
        await qe.waitUntilReady();
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let started = 0;
        const fn = async () => {
          started++;
          await gate;
        };
        const ws = [worker(q, fn), worker(q, fn)];
        await Promise.all(ws.map((w) => w.waitUntilReady()));
        await qu.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }]);
        await eventually('both jobs to start', () => started === 2);
        release();
        await eventually(`the drained event (round ${round})`, () => drained > 0);
        assert.equal(await qu.getJobCountByTypes('completed'), 2);
        await Promise.all(ws.map((w) => w.close()));
        await qe.close();
      }
    });

    it('a blocking wait disconnected while it was still starting ends at once, not after its timeout', async (t) => {
      if (target.skip) return t.skip(target.skip);
      // BullMQ's worker.close() disconnects the blocking wait and then waits for its main loop: a wait that had
      // begun but not yet armed its cancel waited out the whole block timeout (drainDelay, 5 s by default).
      const backend = (target.factory as any)(`waitstart${++n}`, target.opts);
      track(backend);
      await backend.waitUntilReady?.();
      for (let round = 0; round < 3; round++) {
        const waiting = backend.waitForJob(30);
        await backend.disconnectBlocking(true);
        const outcome = await Promise.race([waiting.then((r: unknown) => ({ r })), realSleep(10_000).then(() => 'still waiting')]);
        assert.deepEqual(outcome, { r: null }, `round ${round}`);
        await backend.reconnectBlocking();
      }
    });

    it('a worker with concurrency 2 starts the jobs in the order they were added', async (t) => {
      if (target.skip) return t.skip(target.skip);
      // BullMQ's suite ("should run max concurrency for jobs added"): one worker, two slots, 16 jobs; each job
      // must start in id order. Two of the worker's transactions in flight at once could each claim a job and
      // commit in either order.
      for (let round = 0; round < 3; round++) {
        const q = `fifo${++n}`;
        const qu = queue(q);
        await qu.waitUntilReady();
        const jobs = await qu.addBulk(Array.from({ length: 16 }, (_, i) => ({ name: 'n', data: { i } })));
        const started: string[] = [];
        let finished = 0;
        const w = track(new Worker(q, async (job) => {
          started.push(job.id!);
          await realSleep(30);
          finished++;
        }, { ...target.opts, concurrency: 2, drainDelay: 0.2 } as any, target.factory as any));
        await eventually('all 16 jobs', () => finished === 16);
        await w.close();
        assert.deepEqual(started, jobs.map((j) => j.id), `round ${round}`);
      }
    });

    it("QueueEvents delivers a queue's events once each, in order, past the ids of another queue's removed events", async (t) => {
      if (target.skip) return t.skip(target.skip);
      // On MySQL the removed ids are a gap no transaction will fill: the reader tells it from a transaction
      // still committing and reads past it (see readEvents in jobs/sql/core.ts).
      const gone = `gapgone${++n}`;
      const q = `gapread${n}`;
      const qe = track(new QueueEvents(q, { ...target.opts, blockingTimeout: 200 } as any, target.factory as any));
      const seen: string[] = [];
      for (const event of ['added', 'waiting'] as const) qe.on(event, (args: any, id: string) => void seen.push(`${event}:${args.jobId}:${id}`));
      await qe.waitUntilReady();
      const other = queue(gone);
      const qu = queue(q);
      await other.addBulk(Array.from({ length: 5 }, (_, i) => ({ name: 'n', data: { i } })));
      const first = await qu.add('a', {});
      await other.obliterate({ force: true });
      const second = await qu.add('b', {});
      await eventually('both jobs\' events', () => seen.length >= 4);
      await realSleep(300); // nothing more, nothing twice
      assert.deepEqual(seen.map((s) => s.split(':').slice(0, 2).join(':')), [`added:${first.id}`, `waiting:${first.id}`, `added:${second.id}`, `waiting:${second.id}`]);
      const ids = seen.map((s) => s.split(':').slice(2).join(':'));
      assert.deepEqual([...ids].sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0])), ids);
    });
  });
}
