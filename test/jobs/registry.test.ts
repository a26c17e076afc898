import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { jobClasses, jobsConfigured, queueFor, startJobs, startJobWorkers, stopJobs } from 'stryke/jobs';
import type { App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';
import { until } from './targets';
// Imported, not required: a job whose constructor takes services type-checks its performLater arguments.
import { GreetJob } from '../boot-fixtures/jobs-di/app/jobs/greet_job';

const fixtureBuild = (name: string) => join(__dirname, '..', 'boot-fixtures', name);

describe('@Job classes in the registry', () => {
  it('two job classes of one name in two files fail boot with STRYKE_E_JOBS_DUPLICATE_NAME, naming both files', async () => {
    await assert.rejects(() => bootFixture('jobs-duplicate'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'STRYKE_E_JOBS_DUPLICATE_NAME');
      assert.match(err.message, /named ReportJob/);
      assert.match(err.message, /jobs-duplicate\/app\/jobs\/report_job\.js:\d+/);
      assert.match(err.message, /jobs-duplicate\/app\/jobs\/admin\/report_job\.js:\d+/);
      return true;
    });
    assert.equal(jobsConfigured(), false, 'no queue was opened for the app that did not boot');
  });
});

describe('@Job classes get constructor injection', () => {
  let app: App | undefined;
  after(async () => {
    await stopJobs();
    await app?.close();
  });

  async function performOnWorker(name: string): Promise<unknown> {
    const job = await GreetJob.performLater(name);
    const queue = queueFor('greetings');
    const workers = startJobWorkers({ queues: ['greetings'] });
    try {
      await until(`job ${job.id}`, async () => ['completed', 'failed'].includes(await queue.getJobState(job.id!)));
    } finally {
      await workers.close();
    }
    const done = await queue.getJob(job.id!);
    assert.equal(done?.failedReason, undefined);
    return done?.returnvalue;
  }

  it('a job booted with its app (SQLite queue) performs with the service the app container gives it', async () => {
    app = await bootFixture('jobs-di');
    const { Greeter } = require(join(fixtureBuild('jobs-di'), 'app', 'services', 'greeter.js'));
    const greeter = app.container.inner.resolve(Greeter) as { serial: number };
    assert.equal(await performOnWorker('Ada'), `Hello, Ada, from jobs-di (greeter #${greeter.serial})`, 'the app container\'s singleton');
    assert.equal(await GreetJob.performNow('Bea'), `Hello, Bea, from jobs-di (greeter #${greeter.serial})`, 'performNow builds it the same way');
    assert.ok(jobClasses().has('GreetJob'));
    assert.equal(jobClasses().has('ReportJob'), false, 'the jobs of another app loaded in this process are not this one\'s');
    // The framework's own jobs belong to every app, loaded before boot or after (storage loads PurgeBlobsJob on first use).
    require(join(dirname(require.resolve('stryke/storage')), 'purge.js'));
    assert.ok(jobClasses().has('PurgeBlobsJob'), 'a job class recorded after boot joins the app\'s table');
  });

  it('a worker process without createApp (the memory backend, as `stryke jobs work` starts it) builds the services from the app code', async () => {
    await stopJobs();
    const root = join(__dirname, '..', '..', '..', 'test', 'boot-fixtures', 'jobs-di');
    await startJobs({ root, config: { app: { name: 'a worker' }, jobs: { backend: 'memory' } }, build: fixtureBuild('jobs-di'), workers: false });
    assert.match(String(await performOnWorker('Cy')), /^Hello, Cy, from a worker \(greeter #\d+\)$/);
  });
});
