import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { jobTarget, until, type JobTarget } from './targets';

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

for (const name of ['sqlite', 'mysql', 'postgres', 'redis'] as const) {
  describe(`jobs faults on ${name}`, () => {
    let target: JobTarget;
    const dir = mkdtempSync(join(tmpdir(), 'stryke-faults-'));
    const children: ChildProcess[] = [];
    const queues: Queue[] = [];

    before(async () => {
      target = await jobTarget(name, 'faults');
    });
    after(async () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
      await target.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    const queue = (q: string) => {
      const qu = new Queue(q, target.opts as any, target.factory as any);
      queues.push(qu);
      return qu;
    };
    const child = (q: string, log: string) => {
      const c = spawn(process.execPath, [join(__dirname, 'worker-child.js'), target.spec, q, log], { stdio: 'inherit' });
      children.push(c);
      return c;
    };

    it('a worker killed with SIGKILL mid-job: the job runs again elsewhere and completes exactly once', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const log = join(dir, `${name}-kill.log`);
      const qu = queue('kill');
      const job = await qu.add('slow', { ms: 1500 });
      const first = child('kill', log);
      await until('the first worker to start the job', () => lines(log).some((l) => l.startsWith(`start ${job.id} ${first.pid}`)), 20_000);
      first.kill('SIGKILL');
      await until('the first worker to die', () => first.exitCode !== null || first.signalCode !== null);
      const second = child('kill', log);
      await until('the job to complete', async () => (await qu.getJobState(job.id!)) === 'completed', 20_000);
      const done = lines(log).filter((l) => l.startsWith(`done ${job.id} `));
      assert.deepEqual(done, [`done ${job.id} ${second.pid}`]);
      assert.equal(lines(log).filter((l) => l.startsWith(`start ${job.id} `)).length, 2);
      assert.equal((await qu.getJob(job.id!))?.returnvalue, second.pid);
      second.kill('SIGTERM');
    });

    it('several worker processes on one queue, one killed midway: every job completes, each once unless its worker died', async (t) => {
      if (target.skip) return t.skip(target.skip);
      const log = join(dir, `${name}-many.log`);
      const qu = queue('many');
      const N = 150;
      await qu.addBulk(Array.from({ length: N }, (_, i) => ({ name: 'quick', data: { ms: 5, i } })));
      const workers = [child('many', log), child('many', log), child('many', log)];
      await until('a third of the jobs', () => lines(log).filter((l) => l.startsWith('done ')).length >= N / 3, 30_000);
      const victim = workers[0]!;
      victim.kill('SIGKILL');
      await until('all jobs to complete', async () => (await qu.getJobCounts('completed')).completed === N, 30_000);
      const done = lines(log).filter((l) => l.startsWith('done '));
      const ids = new Set(done.map((l) => l.split(' ')[1]));
      assert.equal(ids.size, N, 'every job ran to the end');
      for (const id of ids) {
        const runs = done.filter((l) => l.split(' ')[1] === id);
        if (runs.length > 1) assert.ok(runs.some((l) => l.endsWith(` ${victim.pid}`)), `job ${id} ran twice only because its worker was killed`);
      }
      assert.ok(new Set(done.map((l) => l.split(' ')[2])).size >= 2, 'the jobs were shared between processes');
      for (const w of workers.slice(1)) w.kill('SIGTERM');
    });

    it('two schedulers firing the same tick produce one job', async (t) => {
      if (target.skip) return t.skip(target.skip);
      // BullMQ's own PostgreSQL backend (here only as a reference) made two first jobs when the two upserts raced
      // (seen once, 2026-12-07); the property is ours to keep on the SQL queue, and Redis keeps it too.
      if (name === 'postgres') return t.skip('BullMQ\'s PostgreSQL backend does not serialise two racing upserts of one scheduler');
      const a = queue('tick');
      const b = queue('tick');
      await Promise.all([
        a.upsertJobScheduler('nightly', { every: 60_000 }, { name: 'report' }),
        b.upsertJobScheduler('nightly', { every: 60_000 }, { name: 'report' }),
      ]);
      const jobs = await a.getJobs(['delayed', 'waiting', 'prioritized']);
      assert.equal(jobs.length, 1);
      assert.equal(jobs[0]!.repeatJobKey, 'nightly');
      assert.equal(await a.getJobSchedulersCount(), 1);
    });
  });
}
