import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { queueFor, startJobs, startJobWorkers, stopJobs } from 'stryke/jobs';
import { assertDelivered, assertNotDelivered, clearDeliveries, type TestApp } from 'stryke/testing';
import { bootSampleApp, SAMPLE_APP, signedInClient } from '../support/sample-app';
import { until } from './targets';

const jobModule = () => require(join(SAMPLE_APP, 'build', 'app', 'jobs', 'welcome_notification_job.js'));
const modelModule = () => require(join(SAMPLE_APP, 'build', 'app', 'models', 'comment.js'));

describe('sample app: the welcome email job', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
    await startJobs({ root: app.root, config: app.config, database: app.db.config, workers: false });
  });
  after(async () => {
    await stopJobs();
    await app.close();
  });

  async function postWithComment(author: string, email?: string): Promise<void> {
    const browser = await signedInClient(app, `${author.toLowerCase()}@example.com`);
    await browser.get('/posts/new');
    const created = await browser.post('/posts', { form: { post: { title: `Post for ${author}`, body: 'A body long enough' } } });
    const url = String(created.headers.location);
    const page = await browser.get(url);
    assert.match(page.body, /name="comment\[email\]" type="email"/);
    const added = await browser.post(`${url}/comments`, { form: { comment: { author, body: 'Hello!', ...(email ? { email } : {}) } } });
    assert.equal(added.status, 303);
  }

  async function runMailersQueue(): Promise<unknown[]> {
    const queue = queueFor('mailers');
    const jobs = await queue.getJobs(['waiting']);
    const workers = startJobWorkers({ queues: ['mailers'] });
    try {
      for (const job of jobs) await until(`job ${job.id}`, async () => ['completed', 'failed'].includes(await queue.getJobState(job.id!)));
    } finally {
      await workers.close();
    }
    return Promise.all(jobs.map(async (j) => (await queue.getJob(j.id!))?.returnvalue ?? (await queue.getJob(j.id!))?.failedReason));
  }

  it('a first comment with an email enqueues the job; a worker sends the welcome email through UserMailer', async () => {
    clearDeliveries();
    const author = `Ada-${process.pid}-${Date.now()}`;
    await postWithComment(author, 'ada@example.com');
    const [job] = await queueFor('mailers').getJobs(['waiting']);
    assert.equal(job?.name, 'WelcomeNotificationJob');
    assert.deepEqual(await runMailersQueue(), ['welcomed ada@example.com']);
    const mail = assertDelivered({ to: 'ada@example.com', subject: `Welcome to the conversation, ${author}!`, mailer: 'UserMailer.welcome' });
    assert.match(mail.text!, new RegExp(`Thanks for your first comment, on "Post for ${author}"`));
    assert.match(mail.text!, /http:\/\/localhost:3000\/posts\/\d+/, 'an absolute link to the post');
    assert.match(mail.html!, /<a href="http:\/\/localhost:3000\/posts\/\d+"/);
    assert.deepEqual(mail.replyTo, ['hello@example.com']);
    assert.equal(mail.from, 'blog@example.com');
  });

  it('a comment without an email (or a second comment) sends nothing', async () => {
    clearDeliveries();
    const author = `Bea-${process.pid}-${Date.now()}`;
    await postWithComment(author);
    await postWithComment(author, 'bea@example.com');
    assert.deepEqual((await runMailersQueue()).sort(), ['skipped: no email address', 'skipped: not a first comment']);
    assertNotDelivered({});
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
