import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { createSqliteBackend } from 'stryke/jobs';
import { stryke, strykeBackground } from '../support/cli';
import { copySampleApp } from '../support/sample-app';

const SAMPLE_APP = copySampleApp();
import { until } from './targets';

describe('stryke jobs (CLI) on the sample app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-jobs-cli-'));
  const file = join(dir, 'jobs.sqlite3');
  const env = { DATABASE_URL: `sqlite:${file}`, STRYKE_ENV: 'test' };
  const queue = new Queue('mailers', { connection: { filename: file } } as any, createSqliteBackend as any);
  after(async () => {
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('work runs the app\'s @Job classes until SIGTERM; stats, list, retry and purge manage the queues', async () => {
    const unknown = await queue.add('NoSuchJob', { args: [] });
    const worker = strykeBackground(['jobs', 'work', '--root', SAMPLE_APP, '--queues', 'mailers', '--concurrency', '2'], { env });
    let out = '';
    worker.stdout!.on('data', (d) => (out += d));
    worker.stderr!.on('data', (d) => (out += d));
    await until('the worker to fail the unknown job', async () => (await queue.getJobState(unknown.id!)) === 'failed', 60_000);
    assert.match(out, /Working mailers \(concurrency 2/);
    worker.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => worker.on('exit', (c) => r(c)));
    assert.equal(code, 0, out);

    const stats = stryke(['jobs', 'stats', '--root', SAMPLE_APP, '--queues', 'mailers', '--json'], { env });
    assert.equal(stats.status, 0, stats.stderr);
    assert.equal(JSON.parse(stats.stdout).mailers.failed, 1);

    const list = stryke(['jobs', 'list', '--root', SAMPLE_APP, '--queue', 'mailers', '--state', 'failed'], { env });
    assert.match(list.stdout, new RegExp(`^${unknown.id}  NoSuchJob .*no @Job class has that name`, 'm'));

    const retry = stryke(['jobs', 'retry', '--root', SAMPLE_APP, '--queue', 'mailers', unknown.id!], { env });
    assert.match(retry.stdout, /Retried 1 failed job/);
    assert.equal(await queue.getJobState(unknown.id!), 'waiting');

    const purge = stryke(['jobs', 'purge', '--root', SAMPLE_APP, '--queue', 'mailers', '--all'], { env });
    assert.match(purge.stdout, /Obliterated "mailers"/);
    assert.equal(await queue.getJob(unknown.id!), undefined);

    const bad = stryke(['jobs', 'list', '--root', SAMPLE_APP, '--queue', 'mailers', '--state', 'nope'], { env });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /STRYKE_E_JOBS_BAD_CONFIG/);
  });

  it('work boots the app: a job that reads models and sends mail runs as it does in the server', async () => {
    const devFile = join(dir, 'development.sqlite3');
    const devEnv = { DATABASE_URL: `sqlite:${devFile}`, STRYKE_ENV: 'development' };
    const migrate = stryke(['db', 'migrate', '--root', SAMPLE_APP], { env: devEnv });
    assert.equal(migrate.status, 0, migrate.stderr);
    type Statement = { run(...values: unknown[]): { lastInsertRowid: number | bigint } };
    const Sqlite = require('better-sqlite3') as new (file: string) => { prepare(sql: string): Statement; close(): void };
    const db = new Sqlite(devFile);
    const now = new Date().toISOString();
    const post = db.prepare('INSERT INTO posts (title, body, published, createdAt, updatedAt) VALUES (?, ?, 1, ?, ?)').run('Worker post', 'A body long enough', now, now);
    const comment = db.prepare('INSERT INTO comments (postId, author, body, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?)').run(post.lastInsertRowid, 'Ada', 'First!', now, now);
    db.close();
    const mailers = new Queue('mailers', { connection: { filename: devFile } } as any, createSqliteBackend as any);
    try {
      const job = await mailers.add('WelcomeNotificationJob', { args: [Number(comment.lastInsertRowid), 'ada@example.com'] });
      const worker = strykeBackground(['jobs', 'work', '--root', SAMPLE_APP, '--queues', 'mailers'], { env: devEnv });
      let out = '';
      worker.stdout!.on('data', (d) => (out += d));
      worker.stderr!.on('data', (d) => (out += d));
      try {
        await until('the job to finish', async () => ['completed', 'failed'].includes(await mailers.getJobState(job.id!)), 60_000);
      } finally {
        worker.kill('SIGTERM');
        await new Promise((r) => worker.on('exit', r));
      }
      const done = await mailers.getJob(job.id!);
      assert.equal(done?.failedReason, undefined, out);
      assert.equal(done?.returnvalue, 'welcomed ada@example.com');
      const mails = readdirSync(join(SAMPLE_APP, 'tmp', 'mails')).filter((f) => f.endsWith('.eml'));
      assert.equal(mails.length, 1);
      assert.match(readFileSync(join(SAMPLE_APP, 'tmp', 'mails', mails[0]!), 'utf8'), /To: .*ada@example\.com/);
    } finally {
      await mailers.close();
    }
  });
});
