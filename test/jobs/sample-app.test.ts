import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { queueFor, startJobs, startJobWorkers, stopJobs } from 'stryke/jobs';
import type { TestApp } from 'stryke/testing';
import { bootSampleApp, SAMPLE_APP, signedInClient } from '../support/sample-app';
import { until } from './targets';

const jobModule = () => require(join(SAMPLE_APP, 'build', 'app', 'jobs', 'welcome_notification_job.js'));
const modelModule = () => require(join(SAMPLE_APP, 'build', 'app', 'models', 'comment.js'));

describe('sample app: the welcome notification job', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
    await startJobs({ root: app.root, config: app.config, database: app.db.config, workers: false });
  });
  after(async () => {
    await stopJobs();
    await app.close();
  });

  async function postWithComment(author: string): Promise<void> {
    const browser = await signedInClient(app, `${author.toLowerCase()}@example.com`);
    await browser.get('/posts/new');
    const created = await browser.post('/posts', { form: { post: { title: `Post for ${author}`, body: 'A body long enough' } } });
    const url = String(created.headers.location);
    await browser.get(url);
    const added = await browser.post(`${url}/comments`, { form: { comment: { author, body: 'Hello!' } } });
    assert.equal(added.status, 303);
  }

  it('a first comment enqueues the job; a worker delivers the notification', async () => {
    const author = `Ada-${process.pid}-${Date.now()}`;
    await postWithComment(author);
    const queue = queueFor('mailers');
    const [job] = await queue.getJobs(['waiting']);
    assert.equal(job?.name, 'WelcomeNotificationJob');
    const workers = startJobWorkers({ queues: ['mailers'] });
    await until('the job to complete', async () => (await queue.getJobState(job!.id!)) === 'completed');
    await workers.close();
    const { NOTIFICATIONS_LOG } = jobModule();
    assert.ok(existsSync(NOTIFICATIONS_LOG));
    const lines = readFileSync(NOTIFICATIONS_LOG, 'utf8').split('\n').filter((l: string) => l.includes(author));
    assert.equal(lines.length, 1);
    assert.match(JSON.parse(lines[0]!).message, new RegExp(`Welcome, ${author}! Thanks for your first comment, on "Post for ${author}"`));
  });

  it('enqueued inside Model.transaction: visible after commit, gone on rollback', async () => {
    const { WelcomeNotificationJob } = jobModule();
    const { Comment } = modelModule();
    const queue = queueFor('mailers');
    const before = (await queue.getJobCounts('waiting')).waiting!;
    await assert.rejects(() => Comment.transaction(async () => {
      await WelcomeNotificationJob.performLater(987_654);
      assert.equal((await queue.getJobCounts('waiting')).waiting, before, 'not visible before commit');
      throw new Error('roll back');
    }), /roll back/);
    assert.equal((await queue.getJobCounts('waiting')).waiting, before, 'gone after rollback');
    const job = await Comment.transaction(() => WelcomeNotificationJob.performLater(987_655));
    assert.equal((await queue.getJobCounts('waiting')).waiting, before + 1, 'visible after commit');
    assert.deepEqual((await queue.getJob(job.id))?.data, { args: [987_655] });
  });
});
