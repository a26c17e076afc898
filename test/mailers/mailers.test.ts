import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { App } from 'stryke';
import { queueFor, startJobWorkers } from 'stryke/jobs';
import { assertDelivered, assertNotDelivered, clearDeliveries, deliverEnqueuedMail, deliveries, enqueuedDeliveries } from 'stryke/testing';
import { bootFixture } from '../support/boot-fixture';
import { until } from '../jobs/targets';
import { closedPort, decodeWords, headersOf, startSmtp } from './support';

const fixture = join(__dirname, '..', 'boot-fixtures', 'mail-app', 'app', 'mailers', 'user_mailer.js');
const mailers = () => require(fixture) as typeof import('../boot-fixtures/mail-app/app/mailers/user_mailer');

/** Boots the fixture app with these environment variables (read by its config/mail.toml). */
async function boot(vars: Record<string, string>, env = 'test'): Promise<App> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await bootFixture('mail-app', env);
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp) {
  await assert.rejects(p, (err: any) => {
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('mailers: the test delivery method', () => {
  let app: App;
  before(async () => {
    app = await boot({});
  });
  after(() => app?.close());
  beforeEach(() => clearDeliveries());

  it('boots without loading nodemailer (about 100 ms): it loads with the first message', () => {
    // (smtp-server, which this file imports, loads some of nodemailer's helpers; not nodemailer itself.)
    assert.ok(!Object.keys(require.cache).some((k) => k.endsWith('/node_modules/nodemailer/dist/cjs/nodemailer.js')));
  });

  it('renders the HTML and text parts in the mailer layout, with absolute URLs and the mailer defaults', async () => {
    const { UserMailer } = mailers();
    const info = await UserMailer.welcome({ name: 'Ada <Lovelace>', email: 'ada@example.com' }).deliverNow();
    assert.deepEqual(info.envelope.to, ['ada@example.com']);
    const mail = assertDelivered({ to: 'ada@example.com', subject: 'Welcome, Ada <Lovelace>!', mailer: 'UserMailer.welcome' });
    assert.equal(mail.from, 'blog@example.com');
    assert.equal(mail.headers['X-App'], 'mail-app');
    assert.match(mail.html!, /<body data-layout="mailer">/);
    assert.match(mail.html!, /<h1>Welcome, Ada &lt;Lovelace&gt;!<\/h1>/, 'HTML part escapes');
    assert.match(mail.html!, /<a href="https:\/\/example\.com\/posts\/7">read it<\/a>/, 'path helpers give absolute URLs');
    assert.match(mail.text!, /^Welcome, Ada <Lovelace> & friends!$/m, 'text part is not HTML-escaped');
    assert.match(mail.text!, /Your first post: https:\/\/example\.com\/posts\/7/);
    assert.match(mail.text!, /^Sent by the blog$/m, 'text layout');
    assert.match(mail.raw, /Content-Type: multipart\/alternative/);
    assert.equal(deliveries().length, 1);
    assertNotDelivered({ to: 'someone@example.com' });
    assert.throws(() => assertDelivered({ subject: 'Nope' }), /No delivered message matches .*UserMailer\.welcome to ada@example\.com/s);
  });

  it('builds a message whose options load asynchronously, with attachments, and a text-only one without layout', async () => {
    const { UserMailer } = mailers();
    await UserMailer.receipt('grace@example.com', 42).deliverNow();
    const receipt = assertDelivered({ to: 'grace@example.com', cc: 'accounts@example.com', attachment: 'reçu.txt' });
    assert.equal(receipt.subject, 'Reçu n° 42 — merci ☕');
    assert.deepEqual(receipt.attachments.map((a) => a.filename), ['reçu.txt', 'logo.png']);
    await UserMailer.notice('alan@example.com', 'Plain').deliverNow();
    const notice = assertDelivered({ subject: 'Plain' });
    assert.equal(notice.html, undefined);
    assert.equal(notice.text, 'Notice for you.\n');
  });

  it('refuses CR/LF in a subject, a name or an address (header injection), sending nothing', async () => {
    const { UserMailer } = mailers();
    await rejectsWith(UserMailer.notice('alan@example.com', 'Hi\r\nBcc: victim@example.com').deliverNow(), 'STRYKE_E_MAILER_HEADER_INJECTION', /the subject contains a line break/);
    await rejectsWith(UserMailer.notice('alan@example.com', 'Hi\nBcc: victim@example.com').deliverNow(), 'STRYKE_E_MAILER_HEADER_INJECTION');
    await rejectsWith(UserMailer.welcome({ name: 'Ada\r\nBcc: victim@example.com', email: 'ada@example.com' }).deliverNow(), 'STRYKE_E_MAILER_HEADER_INJECTION', /`to` name/);
    await rejectsWith(UserMailer.welcome({ name: 'Ada', email: 'ada@example.com\r\nBcc: victim@example.com' }).deliverNow(), 'STRYKE_E_MAILER_HEADER_INJECTION', /`to` address/);
    await rejectsWith(UserMailer.notice('alan@example.com\nBcc: victim@example.com', 'Hi').deliverNow(), 'STRYKE_E_MAILER_HEADER_INJECTION');
    await rejectsWith(UserMailer.notice('not an address', 'Hi').deliverNow(), 'STRYKE_E_MAILER_BAD_ADDRESS');
    await rejectsWith(UserMailer.notice('a@example.com, b@example.com', 'Two').deliverNow().then(() => Promise.reject(Object.assign(new Error('two ok'), { code: 'OK' }))), 'OK');
    assert.equal(deliveries().filter((d) => d.to.includes('victim@example.com') || d.bcc.includes('victim@example.com')).length, 0);
  });

  it('deliverLater refuses arguments that would not survive JSON (records, dates), naming the argument', async () => {
    const { UserMailer } = mailers();
    class User {
      name = 'Ada';
      email = 'ada@example.com';
    }
    await rejectsWith(UserMailer.welcome(new User()).deliverLater(), 'STRYKE_E_MAILER_NOT_SERIALIZABLE', /argument #1 is a User object \(a record\? pass its id\)/);
    await rejectsWith((UserMailer.notice as any)('a@example.com', new Date()).deliverLater(), 'STRYKE_E_MAILER_NOT_SERIALIZABLE', /#2 is a Date/);
  });

  it('deliverLater enqueues the framework delivery job on the mailers queue; a worker delivers it', async () => {
    const { UserMailer } = mailers();
    const job = await UserMailer.welcome({ name: 'Queued', email: 'queued@example.com' }).deliverLater();
    assert.equal(job.name, 'MailDeliveryJob');
    assert.deepEqual(job.data.args, ['UserMailer', 'welcome', [{ name: 'Queued', email: 'queued@example.com' }]]);
    assert.equal(job.opts.attempts, 3, 'config/mail.toml attempts');
    assert.deepEqual(job.opts.backoff, { type: 'exponential', delay: 200 });
    assert.equal(deliveries().length, 0, 'nothing is sent before a worker runs it');
    const workers = startJobWorkers({ queues: ['mailers'] });
    try {
      await until('the delivery', async () => (await queueFor('mailers').getJobState(job.id!)) === 'completed', 20_000);
    } finally {
      await workers.close();
    }
    assertDelivered({ to: 'queued@example.com', subject: 'Welcome, Queued!' });
  });
});

describe('mailers: enqueued deliveries in tests', () => {
  it('enqueuedDeliveries lists what deliverLater enqueued; deliverEnqueuedMail runs them here and takes them off the queue', async () => {
    const app = await boot({});
    try {
      clearDeliveries();
      const { UserMailer } = mailers();
      await UserMailer.notice('first@example.com', 'One').deliverLater();
      await UserMailer.notice('second@example.com', 'Two').deliverLater({ wait: 3_600_000 });
      assert.deepEqual((await enqueuedDeliveries()).map((d) => [d.mailer, d.action, d.args]), [
        ['UserMailer', 'notice', ['first@example.com', 'One']],
        ['UserMailer', 'notice', ['second@example.com', 'Two']],
      ]);
      assert.equal(deliveries().length, 0);
      assert.equal(await deliverEnqueuedMail(), 2);
      assertDelivered({ to: 'first@example.com', subject: 'One' });
      assertDelivered({ to: 'second@example.com', subject: 'Two' });
      assert.deepEqual(await enqueuedDeliveries(), []);
      assert.equal(await deliverEnqueuedMail(), 0);
    } finally {
      await app.close();
    }
  });
});

describe('mailers: boot checks', () => {
  it('a mailer action without a template fails boot with a coded error naming the files', async () => {
    await rejectsWith(bootFixture('mail-missing'), 'STRYKE_E_MAILER_MISSING_TEMPLATE', /BrokenMailer\.forgotten .*app\/views\/broken_mailer\/forgotten\.html\.hbs and \.text\.hbs/);
  });
});

describe('mailers: previews at /stryke/mailers', () => {
  it('lists every preview and renders each message as HTML and text in development', async () => {
    const app = await boot({}, 'development');
    clearDeliveries();
    try {
      const index = await app.server.inject('/stryke/mailers');
      assert.equal(index.statusCode, 200);
      assert.match(index.headers['content-security-policy'] as string, /default-src 'none'/);
      assert.match(index.body, /UserMailerPreview/);
      for (const m of ['welcome', 'receipt', 'notice']) assert.match(index.body, new RegExp(`href="/stryke/mailers/user_mailer/${m}"`));

      const page = await app.server.inject('/stryke/mailers/user_mailer/welcome');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Welcome, Ada &#60;Lovelace&#62;!/);
      assert.match(page.body, /<iframe title="HTML part" sandbox src="\/stryke\/mailers\/user_mailer\/welcome\/html">/);
      const html = await app.server.inject('/stryke/mailers/user_mailer/welcome/html');
      assert.match(html.headers['content-security-policy'] as string, /^sandbox/);
      assert.match(html.body, /<h1>Welcome, Ada &lt;Lovelace&gt;!<\/h1>/);
      const text = await app.server.inject('/stryke/mailers/user_mailer/welcome?part=text');
      assert.match(text.body, /<pre class="text">Welcome, Ada &#60;Lovelace&#62; &#38; friends!/);
      const raw = await app.server.inject('/stryke/mailers/user_mailer/welcome/text');
      assert.equal(raw.headers['content-type'], 'text/plain; charset=utf-8');

      const receipt = await app.server.inject('/stryke/mailers/user_mailer/receipt');
      assert.match(receipt.body, /<span class="pill">reçu\.txt<\/span>/);
      const textOnly = await app.server.inject('/stryke/mailers/user_mailer/notice');
      assert.match(textOnly.body, /<pre class="text">Notice for you\./, 'a message without HTML opens on its text');
      assert.equal((await app.server.inject('/stryke/mailers/user_mailer/notice/html')).statusCode, 404);

      for (const url of ['/stryke/mailers/user_mailer/constructor', '/stryke/mailers/nope/welcome', '/stryke/mailers/user_mailer/welcome/raw']) {
        const res = await app.server.inject(url);
        assert.equal(res.statusCode, 404, url);
        assert.match(res.body, /STRYKE_E_MAILER_UNKNOWN_PREVIEW/);
      }
      assert.equal(deliveries().length, 0, 'a preview sends nothing');
    } finally {
      await app.close();
    }
  });

  it('is not mounted in the test environment by default, nor ever in production', async () => {
    const test = await boot({});
    try {
      assert.equal((await test.server.inject('/stryke/mailers')).statusCode, 404);
    } finally {
      await test.close();
    }
    const prod = await boot({ SECRET_KEY_BASE: 'x'.repeat(64), STRYKE_MAIL__PREVIEWS: 'true', MAIL_DELIVERY: 'log' }, 'production');
    try {
      assert.equal((await prod.server.inject('/stryke/mailers')).statusCode, 404);
    } finally {
      await prod.close();
    }
  });
});

describe('mailers: the file delivery method', () => {
  it('writes each message as an .eml file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stryke-mails-'));
    const app = await boot({ MAIL_DELIVERY: 'file', MAIL_DIR: dir });
    try {
      const info = await mailers().UserMailer.welcome({ name: 'File', email: 'file@example.com' }).deliverNow();
      const files = readdirSync(dir);
      assert.equal(files.length, 1);
      assert.match(files[0]!, /UserMailer-welcome-.*\.eml$/);
      assert.equal(info.file, join(dir, files[0]!));
      const raw = readFileSync(info.file!, 'utf8');
      assert.match(raw, /^To: File <file@example\.com>$/m);
      assert.equal(deliveries().length, 0);
    } finally {
      await app.close();
    }
  });
});

describe('mailers: SMTP against a real server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  afterEach(() => smtp?.close());

  it('delivers multipart/alternative with encoded subjects and attachments, authenticating with the configured password', async () => {
    smtp = await startSmtp({ auth: { user: 'mailer', pass: 's3cret-from-env' } });
    const app = await boot({ MAIL_DELIVERY: 'smtp', SMTP_PORT: String(smtp.port), SMTP_USER: 'mailer', SMTP_PASSWORD: 's3cret-from-env' });
    try {
      const { UserMailer } = mailers();
      const info = await UserMailer.receipt('grace@example.com', 42).deliverNow();
      assert.deepEqual(info.accepted.sort(), ['accounts@example.com', 'grace@example.com']);
      await UserMailer.welcome({ name: 'Zoë Ünïcode', email: 'zoe@example.com' }).deliverNow();
      assert.equal(smtp.received.length, 2);

      const [receipt, welcome] = smtp.received as [typeof smtp.received[0], typeof smtp.received[0]];
      assert.equal(receipt.user, 'mailer');
      assert.equal(receipt.from, 'blog@example.com');
      assert.deepEqual(receipt.to.sort(), ['accounts@example.com', 'grace@example.com']);
      const h = headersOf(receipt.raw);
      assert.match(h.subject!, /^=\?UTF-8\?[BQ]\?/, 'a non-ASCII subject is MIME-encoded');
      assert.equal(decodeWords(h.subject!), 'Reçu n° 42 — merci ☕');
      assert.match(h.from!, /^=\?UTF-8\?[BQ]\?.*\?= <blog@example\.com>$/);
      assert.equal(decodeWords(h.from!), 'Ünïcode Blog <blog@example.com>');
      assert.equal(h.to, 'grace@example.com');
      assert.equal(h.cc, 'accounts@example.com');
      assert.equal(h['x-app'], 'mail-app');
      assert.match(h['message-id']!, /^<.+@.+>$/);
      assert.match(h['content-type']!, /^multipart\/mixed; boundary=/);
      assert.match(receipt.raw, /Content-Type: multipart\/alternative;\s+boundary=/);
      assert.match(receipt.raw, /Content-Type: text\/plain; charset=utf-8/);
      assert.match(receipt.raw, /Content-Type: text\/html; charset=utf-8/);
      assert.match(receipt.raw, /Content-Type: image\/png; name=logo\.png\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=logo\.png\r\n\r\niVBORw0KGgoAAQID/);
      const disposition = /Content-Disposition: attachment;\s+filename\*0\*=utf-8''([^\r\n]+)|Content-Disposition: attachment; filename\*=utf-8''([^\r\n]+)/i.exec(receipt.raw.replace(/\r\n /g, ' '));
      assert.ok(disposition, 'the non-ASCII attachment name is encoded (RFC 2231)');
      assert.match(decodeURIComponent((disposition[1] ?? disposition[2])!.replace(/;.*$/, '')), /^reçu\.txt/);

      assert.equal(decodeWords(headersOf(welcome.raw).to!), 'Zoë Ünïcode <zoe@example.com>');
      assert.doesNotMatch(welcome.raw, /^bcc:/im);
    } finally {
      await app.close();
    }
  });

  it('an SMTP outage fails the delivery job, which retries with backoff and delivers once the server is back', async () => {
    const port = await closedPort();
    // A minute's backoff (config/mail.toml's 200 ms, overridden), so the test brings the server back in between.
    const app = await boot({ MAIL_DELIVERY: 'smtp', SMTP_PORT: String(port), STRYKE_MAIL__BACKOFF: '60000' });
    try {
      const { UserMailer } = mailers();
      await rejectsWith(UserMailer.welcome({ name: 'Now', email: 'now@example.com' }).deliverNow(), 'STRYKE_E_MAILER_DELIVERY_FAILED', /UserMailer\.welcome through SMTP 127\.0\.0\.1:\d+ failed: .*ECONNREFUSED/);
      const job = await UserMailer.welcome({ name: 'Later', email: 'later@example.com' }).deliverLater();
      const queue = queueFor('mailers');
      const workers = startJobWorkers({ queues: ['mailers'] });
      try {
        await until('the first failed try', async () => ((await queue.getJob(job.id!))?.attemptsMade ?? 0) >= 1, 20_000);
        const failedOnce = (await queue.getJob(job.id!))!;
        assert.equal(await failedOnce.getState(), 'delayed', 'a failed try waits for its retry');
        assert.match(failedOnce.failedReason, /ECONNREFUSED/);
        assert.deepEqual(failedOnce.opts.backoff, { type: 'exponential', delay: 60_000 });
        const delayed = await queue.getJobs(['delayed']);
        assert.ok(delayed.some((j) => j.id === job.id), 'what `stryke jobs list --queue mailers --state delayed` shows');

        smtp = await startSmtp({ port });
        await failedOnce.promote();
        await until('the retried delivery', async () => (await queue.getJobState(job.id!)) === 'completed', 20_000);
      } finally {
        await workers.close();
      }
      assert.equal(smtp.received.length, 1);
      assert.deepEqual(smtp.received[0]!.to, ['later@example.com']);
      assert.equal((await queue.getJob(job.id!))!.attemptsMade, 2);
    } finally {
      await app.close();
    }
  });
});
