import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { createSqliteBackend } from 'stryke/jobs';
import { stryke, strykeBackground } from '../support/cli';
import { copySampleApp } from '../support/sample-app';
import { until } from '../jobs/targets';
import { closedPort, decodeWords, headersOf, startSmtp } from './support';

describe('deliverLater on `stryke jobs work`: an SMTP outage, seen in `stryke jobs list`, then delivered', () => {
  const root = copySampleApp();
  const dir = mkdtempSync(join(tmpdir(), 'stryke-mail-cli-'));
  const file = join(dir, 'jobs.sqlite3');
  const queue = new Queue('mailers', { connection: { filename: file } } as any, createSqliteBackend as any);
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
  after(async () => {
    await queue.close();
    await smtp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the worker process builds the message from the app it loaded, retries while the server is down, and sends once it is up', async () => {
    const port = await closedPort();
    const env = {
      DATABASE_URL: `sqlite:${file}`, STRYKE_ENV: 'test',
      STRYKE_MAIL__DELIVERY_METHOD: 'smtp', STRYKE_MAIL__SMTP__HOST: '127.0.0.1', STRYKE_MAIL__SMTP__PORT: String(port),
      STRYKE_MAIL__SMTP__REQUIRE_TLS: 'false', STRYKE_MAIL__SMTP__TIMEOUT: '3000',
    };
    // What `UserMailer.welcome(...).deliverLater()` enqueues (the test does it without booting the app here).
    const job = await queue.add('MailDeliveryJob', { args: ['UserMailer', 'welcome', [{ name: 'Zoë', email: 'zoe@example.com' }, { id: 3, title: 'Hello' }]] },
      { attempts: 4, backoff: { type: 'exponential', delay: 60_000 } });

    const run = async () => {
      const worker = strykeBackground(['jobs', 'work', '--root', root, '--queues', 'mailers'], { env });
      let out = '';
      worker.stdout!.on('data', (d) => (out += d));
      worker.stderr!.on('data', (d) => (out += d));
      return { worker, out: () => out };
    };
    const stop = async (w: Awaited<ReturnType<typeof run>>) => {
      w.worker.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => w.worker.on('exit', (c) => r(c)));
      assert.equal(code, 0, w.out());
    };

    const first = await run();
    await until('the first failed try', async () => ((await queue.getJob(job.id!))?.attemptsMade ?? 0) >= 1, 90_000);
    await stop(first);
    const list = stryke(['jobs', 'list', '--root', root, '--queue', 'mailers', '--state', 'delayed'], { env });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${job.id}  MailDeliveryJob .*STRYKE_E_MAILER_DELIVERY_FAILED|^${job.id}  MailDeliveryJob .*ECONNREFUSED`, 'm'));

    smtp = await startSmtp({ port });
    await (await queue.getJob(job.id!))!.promote();
    const second = await run();
    await until('the delivery', async () => (await queue.getJobState(job.id!)) === 'completed', 90_000);
    await stop(second);
    assert.equal(smtp.received.length, 1);
    const h = headersOf(smtp.received[0]!.raw);
    assert.equal(decodeWords(h.subject!), 'Welcome to the conversation, Zoë!');
    assert.equal(decodeWords(h.to!), 'Zoë <zoe@example.com>');
    assert.match(smtp.received[0]!.raw, /http:\/\/localhost:3000\/posts\/3/);
    assert.equal((await queue.getJob(job.id!))!.attemptsMade, 2);
  });
});
