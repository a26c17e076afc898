import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
});
