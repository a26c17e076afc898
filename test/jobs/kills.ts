import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { COMMAND_TIMEOUT } from '../support/cli';
import { jobTarget, sleep, until, type JobTarget } from './targets';

/**
 * The fault bullet "10,000 jobs with random worker kills: every job completes, none is lost": several
 * worker processes share one queue while the test SIGKILLs random ones and starts replacements. Each job
 * records itself (`done <id> <pid>` in a log file) when it runs to the end. Delivery is at-least-once: a
 * job whose worker died before its completion was written runs again, so the test also counts those.
 */
const N = 10_000;
const WORKERS = 4;
const KILLS = 6;
/**
 * Short locks so a killed worker's jobs are recovered within a few seconds (not so short that a busy machine
 * loses live locks often); enough stalls allowed that no job fails for having been on killed workers.
 */
const WORKER_OPTIONS = { concurrency: 8, lockDuration: 3000, stalledInterval: 1000, maxStalledCount: 1000, drainDelay: 0.2 };

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

/** The suite on one backend (one test file per backend, so each gets the runner's whole time limit). */
export function killsSuite(name: JobTarget['name']): void {
  describe(`jobs: ${N} jobs with random worker kills on ${name}`, () => {
    let target: JobTarget;
    const dir = mkdtempSync(join(tmpdir(), 'stryke-kills-'));
    const children: ChildProcess[] = [];
    let queue: Queue | undefined;

    before(async () => {
      target = await jobTarget(name, 'kills');
    });
    after(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await queue?.close().catch(() => undefined);
      await target.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('every job completes, none is lost', { timeout: COMMAND_TIMEOUT * 2 }, async (t) => {
      if (target.skip) return t.skip(target.skip);
      const log = join(dir, 'jobs.log');
      queue = new Queue('kills', target.opts as any, target.factory as any);
      const ids: string[] = [];
      for (let i = 0; i < N; i += 1000) {
        const jobs = await queue.addBulk(Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ name: 'work', data: { i: i + k, ms: (i + k) % 7 } })));
        ids.push(...jobs.map((j) => j.id!));
      }
      assert.equal(new Set(ids).size, N);

      const spawnWorker = () => {
        const c = spawn(process.execPath, [join(__dirname, 'worker-child.js'), target.spec, 'kills', log, JSON.stringify(WORKER_OPTIONS)], { stdio: ['ignore', 'inherit', 'inherit'] });
        children.push(c);
        return c;
      };
      const live = Array.from({ length: WORKERS }, spawnWorker);
      const killed = new Set<number>();
      const completed = async () => (await queue!.getJobCounts('completed')).completed ?? 0;

      // While jobs remain, at once and then every 0.3-1.2 s, SIGKILL a random worker that is running jobs (one that logged a
      // start since it was spawned) and start a replacement, up to KILLS times.
      const busy = () => new Set(lines(log).filter((l) => l.startsWith('start ')).map((l) => Number(l.split(' ')[2])));
      let done = 0;
      await until('the first jobs to start', () => busy().size > 0, 30_000);
      while (killed.size < KILLS) {
        done = await completed();
        if (done >= N) break;
        const running = busy();
        const candidates = live.map((c, i) => [c, i] as const).filter(([c]) => running.has(c.pid!));
        if (candidates.length > 0) {
          const [victim, at] = candidates[Math.floor(Math.random() * candidates.length)]!;
          victim.kill('SIGKILL');
          killed.add(victim.pid!);
          live[at] = spawnWorker();
        }
        await sleep(300 + Math.random() * 900);
      }
      await until(`all ${N} jobs to complete`, async () => (done = await completed()) >= N, 120_000);

      const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed', 'prioritized');
      assert.deepEqual(counts, { completed: N, failed: 0, waiting: 0, active: 0, delayed: 0, prioritized: 0 });

      const runs = new Map<string, string[]>();
      for (const l of lines(log)) {
        const [what, id, pid] = l.split(' ');
        if (what !== 'done') continue;
        runs.set(id!, [...(runs.get(id!) ?? []), pid!]);
      }
      const missing = ids.filter((id) => !runs.has(id));
      assert.deepEqual(missing, [], 'every job recorded its own completion');
      assert.equal(runs.size, N, 'and no job the test did not add ran');
      // A job runs again when the worker running it lost its lock before writing the completion: killed, or
      // (on a loaded machine) too slow to renew it. Those are counted, not failed: delivery is at-least-once.
      const again = [...runs].filter(([, pids]) => pids.length > 1);
      const afterKill = again.filter(([, pids]) => pids.slice(0, -1).some((p) => killed.has(Number(p)))).length;
      const pids = new Set([...runs.values()].flat());
      assert.ok(killed.size >= 1, 'at least one worker was killed while it ran jobs');
      t.diagnostic(`${name}: ${killed.size} workers killed; ${again.length} of ${N} jobs ran more than once (${afterKill} of them on a killed worker first); ${pids.size} processes ran jobs`);
      for (const c of live) c.kill('SIGTERM');
    });
  });
}
