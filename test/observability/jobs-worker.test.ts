import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { createSqliteBackend } from 'stryke/jobs';
import { stryke, strykeBackground, until, writeApp } from '../support/cli';

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

/** `stryke jobs work` on `queues`, once it says where its metrics are: the process, what it printed, and that URL. */
async function jobsWorker(root: string, queues: string, env: Record<string, string>): Promise<{ worker: ChildProcess; out: () => string; url: string }> {
  const worker = strykeBackground(['jobs', 'work', '--root', root, '--queues', queues], { env });
  let out = '';
  worker.stdout!.on('data', (d) => (out += d));
  worker.stderr!.on('data', (d) => (out += d));
  const said = /Metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/;
  try {
    await until(() => said.test(out) || worker.exitCode !== null);
  } catch (err) {
    worker.kill('SIGKILL');
    throw err;
  }
  const url = said.exec(out)?.[1];
  if (!url) worker.kill('SIGKILL');
  assert.ok(url, out);
  return { worker, out: () => out, url };
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
    const { worker, out, url } = await jobsWorker(root, 'ticks', env);
    try {
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
      assert.equal(code, 0, out());
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
  });

  it('times the SQL statements its jobs run', async () => {
    // A job that reads through a model: the worker boots the app, so its statements go through the same
    // database layer a web worker's do, and are timed into stryke_sql_statement_duration_seconds.
    const root = writeApp({
      'config/server.toml': '[metrics]\nenabled = true\nport = 0\njobs_port = 0\n',
      'config/jobs.toml': 'backend = "database"\n',
      'db/migrations/20260101000000_create_ticks.ts': `import { migration } from 'stryke';

export default migration('CreateTicks', {
  change(m) {
    m.createTable('ticks', (t) => {
      t.string('what', { null: false });
    });
  },
});
`,
      'app/models/tick.ts': `import { ActiveRecord, Field, Model } from 'stryke';

@Model('ticks')
export class Tick extends ActiveRecord {
  @Field({ primary: true }) id!: number;
  @Field('string') what!: string;
}
`,
      'app/jobs/count_job.ts': `import { ApplicationJob, Job } from 'stryke/jobs';
import { Tick } from '../models/tick';

@Job({ queue: 'counts', attempts: 1 })
export class CountJob extends ApplicationJob {
  async perform(what: string) {
    await Tick.create({ what });
    if ((await Tick.where({ what }).count()) !== 1) throw new Error('the tick was not saved');
  }
}
`,
    });
    const db = join(dir, 'sql.sqlite3');
    const sqlEnv = { DATABASE_URL: `sqlite:${db}`, STRYKE_ENV: 'test' };
    const migrated = stryke(['db', 'migrate', '--root', root], { env: sqlEnv });
    assert.equal(migrated.status, 0, migrated.stdout + migrated.stderr);
    const counts = new Queue('counts', { connection: { filename: db } } as any, createSqliteBackend as any);
    await counts.add('CountJob', { args: ['one'] });
    const { worker, out, url } = await jobsWorker(root, 'counts', sqlEnv);
    try {
      let text = '';
      await until(async () => {
        text = await (await fetch(url)).text();
        return sample(text, 'stryke_jobs_performed_total{queue="counts",job="CountJob",outcome="completed"}') === 1;
      });
      // The job's INSERT and its SELECT, each timed (the worker's own queue polling is not app SQL).
      assert.ok(sample(text, 'stryke_sql_statement_duration_seconds_count{statement="INSERT"}')! >= 1, text);
      assert.ok(sample(text, 'stryke_sql_statement_duration_seconds_count{statement="SELECT"}')! >= 1, text);
      assert.ok(sample(text, 'stryke_sql_statement_duration_seconds_sum{statement="SELECT"}')! > 0, text);
      worker.kill('SIGTERM');
      const [code] = await once(worker, 'exit');
      assert.equal(code, 0, out());
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
      await counts.close();
    }
  });
});
