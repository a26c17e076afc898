import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApplicationJob, Job, queueFor, startJobs, stopJobs, type WorkerSet } from 'stryke/jobs';
import { PATIENCE } from '../support/cli';

/** Waits until `check` holds (a bound for a hang, not a measure). Not targets.ts' `until`: that module loads BullMQ. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeout = 10_000 * PATIENCE): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const performed: string[] = [];

@Job({ queue: 'lazy-test' })
class NoteJob extends ApplicationJob {
  async perform(text: string) {
    await new Promise((r) => setTimeout(r, 300));
    performed.push(text);
  }
}

const bullmqLoaded = () => Object.keys(require.cache).some((f) => f.includes('/node_modules/bullmq/'));

/**
 * In-process workers on the database queue (what `stryke start` runs after its first response): BullMQ loads
 * when a job is due, not before, and the workers then run every job as eager ones do.
 */
describe('stryke/jobs: in-process workers on the database queue start when a job is due', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-jobs-lazy-'));
  const config = { app: { name: 'lazy' }, env: 'production', jobs: { backend: 'database', workers_per_core: 1, queues: ['lazy-test'] }, database: { adapter: 'sqlite', database: 'jobs.sqlite3' } };
  after(async () => {
    await stopJobs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hold no BullMQ while the queue is empty; a delayed job falling due starts them; close waits for the running job', async () => {
    const set = (await startJobs({ root: dir, config: config as any })) as WorkerSet;
    assert.deepEqual(set.queues, ['lazy-test']);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(set.workers.length, 0, 'no BullMQ worker while there is nothing to run');
    assert.equal(bullmqLoaded(), false, 'BullMQ not loaded while there is nothing to run');
    // The watcher is listed as the queue's worker meanwhile (getWorkers, the dashboard). Asking loads BullMQ's Queue, not its Worker.
    assert.equal((await queueFor('lazy-test').getWorkers()).length, 1);

    const job = await NoteJob.performIn(400, 'delayed');
    assert.equal(await queueFor('lazy-test').getJobState(job.id!), 'delayed');
    await until('the delayed job performed', async () => performed.includes('delayed'));
    assert.equal(set.workers.length, 1, 'the BullMQ worker runs from then on');

    // A job in progress when the workers close is finished first.
    const last = await NoteJob.performLater('last');
    await until('the last job active', async () => (await queueFor('lazy-test').getJobState(last.id!)) === 'active');
    await set.close();
    assert.ok(performed.includes('last'), 'close waited for the running job');
    assert.equal(await queueFor('lazy-test').getJobState(last.id!), 'completed');
  });

  it("start for a job a killed worker left active once its lock expires, and run it again", async () => {
    await stopJobs();
    // A worker of another process took a job and died: its lock is never renewed (a manual fetch, no processor).
    const { Queue, Worker } = require('bullmq') as typeof import('bullmq');
    const { createDatabaseBackend } = require('stryke/jobs') as typeof import('stryke/jobs');
    const backend = createDatabaseBackend(`sqlite:${join(dir, 'jobs.sqlite3')}`) as any;
    const other = new Queue('lazy-stalled', { connection: {} } as any, backend);
    const job = await other.add('NoteJob', { args: ['stalled'] });
    const dead = new Worker('lazy-stalled', null, { connection: {}, lockDuration: 300 } as any, backend);
    const taken = await dead.getNextJob('dead-token');
    assert.equal(taken?.id, job.id);
    await other.close();
    const set = (await startJobs({ root: dir, config: { ...config, jobs: { ...config.jobs, queues: ['lazy-stalled'] } } as any })) as WorkerSet;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(set.workers.length, 0, 'nothing due yet: the job is active under a live lock');
    await until('the stalled job performed again', async () => performed.includes('stalled'), 60_000 * PATIENCE);
    assert.equal(set.workers.length, 1);
    await set.close();
    await dead.close(true);
  });
});
