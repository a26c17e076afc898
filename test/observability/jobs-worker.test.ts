import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { createSqliteBackend } from 'stryke/jobs';
import { strykeBackground, writeApp } from '../support/cli';

const app = () =>
  writeApp({
    'config/server.toml': '[metrics]\nenabled = true\nport = 0\njobs_port = 0\n',
    'config/jobs.toml': 'backend = "database"\n',
    'app/jobs/tick_job.ts': `import { ApplicationJob, Job } from 'stryke/jobs';

@Job({ queue: 'ticks', attempts: 1 })
export class TickJob extends ApplicationJob {
  async perform(what: string) {
    if (what === 'boom') throw new Error('the tick failed on purpose');
  }
}
`,
  });

/** The value of one series in a Prometheus text scrape (undefined when absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function until(check: () => Promise<boolean> | boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('stryke jobs work serves metrics on [metrics] jobs_port', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-jobs-metrics-'));
  const file = join(dir, 'jobs.sqlite3');
  const env = { DATABASE_URL: `sqlite:${file}`, STRYKE_ENV: 'test' };
  const queue = new Queue('ticks', { connection: { filename: file } } as any, createSqliteBackend as any);
  after(async () => {
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts performed and failed jobs, their wait and duration, and the queue depth, on its own port', async () => {
    const root = app();
    // Two jobs waiting before the worker starts, one of them failing.
    await queue.add('TickJob', { args: ['ok'] });
    await queue.add('TickJob', { args: ['boom'] });
    const worker = strykeBackground(['jobs', 'work', '--root', root, '--queues', 'ticks'], { env });
    let out = '';
    worker.stdout!.on('data', (d) => (out += d));
    worker.stderr!.on('data', (d) => (out += d));
    try {
      await until(() => /Metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.test(out) || worker.exitCode !== null);
      const url = /Metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(out)?.[1];
      assert.ok(url, out);
      let text = '';
      await until(async () => {
        text = await (await fetch(url)).text();
        return sample(text, 'stryke_jobs_performed_total{queue="ticks",job="TickJob",outcome="failed"}') === 1
          && sample(text, 'stryke_jobs_performed_total{queue="ticks",job="TickJob",outcome="completed"}') === 1;
      });
      assert.equal(sample(text, 'stryke_job_duration_seconds_count{queue="ticks",job="TickJob"}'), 2);
      assert.equal(sample(text, 'stryke_job_wait_seconds_count{queue="ticks",job="TickJob"}'), 2);
      assert.equal(sample(text, 'stryke_job_queue_depth{queue="ticks",state="failed"}'), 1);
      assert.equal(sample(text, 'stryke_job_queue_depth{queue="ticks",state="waiting"}'), 0);
      assert.ok(sample(text, 'process_resident_memory_bytes')! > 0);
      // A job waiting shows in the depth at the next scrape: the depth is read then, not counted along.
      await queue.add('TickJob', { args: ['late'] }, { delay: 3_600_000 });
      text = await (await fetch(url)).text();
      assert.equal(sample(text, 'stryke_job_queue_depth{queue="ticks",state="delayed"}'), 1);
      assert.equal((await fetch(url.replace('/metrics', '/other'))).status, 404);

      worker.kill('SIGTERM');
      const [code] = await once(worker, 'exit');
      assert.equal(code, 0, out);
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
  });
});
