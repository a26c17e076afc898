import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seaUnsupported } from '../../framework/server/single';
import { COMMAND_TIMEOUT, PATIENCE, stryke, withServer } from '../support/cli';
import { copySampleApp } from '../support/sample-app';

/**
 * `stryke build --single` of the sample app, built once, then run as an operator deploys it: the executable alone
 * copied into an empty folder (no node_modules, no config/, no public/, no build/ anywhere up the tree), against
 * SQLite, PostgreSQL and MariaDB: `db prepare` migrates and seeds, `start` serves a database-backed page and the
 * fingerprinted assets, and `jobs work` runs the job a comment enqueued (the welcome email, written to a file).
 */

const unsupported = seaUnsupported();
const SECRET = 's'.repeat(64);

function run(bin: string, args: string[], cwd: string, env: Record<string, string>) {
  const res = spawnSync(bin, args, { cwd, env, encoding: 'utf8', timeout: COMMAND_TIMEOUT });
  return { status: res.status, out: `${res.stdout ?? ''}${res.stderr ?? ''}` };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000 * PATIENCE;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  return child.exitCode;
}

/** Posts a comment with an email through the page's form (its CSRF token and session cookie), as a browser would. */
async function comment(base: string, author: string, email: string): Promise<number> {
  const page = await fetch(`${base}/posts/1`);
  assert.equal(page.status, 200);
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const html = await page.text();
  const tokens = [...html.matchAll(/name="authenticity_token" value="([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(tokens.length, 'the page has a form with a CSRF token');
  const res = await fetch(`${base}/posts/1/comments`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ authenticity_token: tokens[tokens.length - 1]!, 'comment[author]': author, 'comment[body]': 'Hello from one file', 'comment[email]': email }).toString(),
  });
  return res.status;
}

describe('stryke build --single: the sample app from one file', { skip: unsupported }, () => {
  let bin = '';
  let work = '';
  before(() => {
    const root = copySampleApp();
    work = join(root, '..');
    const built = stryke(['build', '--single', '--root', root]);
    assert.equal(built.status, 0, built.stderr + built.stdout);
    assert.match(built.stdout, /stryke-sample-app {2}\d+ bytes \(carrying \d+ app files/);
    bin = join(root, 'dist', 'stryke-sample-app');
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The environment a production deploy gives the executable. */
  const productionEnv = (dir: string, database?: string): Record<string, string> => ({
    PATH: '/usr/bin:/bin', HOME: dir, NO_COLOR: '1', STRYKE_ENV: 'production', SECRET_KEY_BASE: SECRET,
    // The mailer writes .eml files (tmp/mails) instead of SMTP; `start` runs no job workers, so `jobs work` must.
    MAIL_DELIVERY: 'file', STRYKE_JOBS__WORKERS_PER_CORE: '0', ...(database ? { DATABASE_URL: database } : {}),
  });

  /** A fresh empty folder holding the executable alone. */
  function deploy(database?: string): { dir: string; app: string; env: Record<string, string> } {
    const dir = mkdtempSync(join(tmpdir(), 'stryke-single-run-'));
    const app = join(dir, 'blog');
    copyFileSync(bin, app);
    assert.deepEqual(readdirSync(dir), ['blog']);
    return { dir, app, env: productionEnv(dir, database) };
  }

  async function exercise(label: string, database?: string): Promise<string> {
    const { dir, app, env } = deploy(database);
    const author = `Grace-${label}-${process.pid}`;
    try {
      const prepared = run(app, ['db', 'prepare'], dir, env);
      assert.equal(prepared.status, 0, prepared.out);
      assert.match(prepared.out, /migrating 20260426120000 CreatePosts … done/);
      assert.match(prepared.out, /Seeded\./);
      const migrated = run(app, ['db', 'migrate'], dir, env);
      assert.equal(migrated.status, 0, migrated.out);
      const status = run(app, ['db', 'status'], dir, env);
      assert.equal(status.status, 0, status.out);
      assert.match(status.out, /up\s+20261207130000\b/, `every carried migration applied:\n${status.out}`);
      assert.doesNotMatch(status.out, /down|NO FILE/, status.out);

      await withServer(['start', '--workers', '1', '--host', '127.0.0.1'], { bin: app, cwd: dir, env }, async (base, started) => {
        // A page from the database, rendered by the carried views, linking the carried fingerprinted stylesheet.
        const posts = await fetch(`${base}/posts`);
        const html = await posts.text();
        assert.equal(posts.status, 200, html);
        assert.match(html, /Welcome to stryke web/, 'a seeded post');
        const css = /href="\/(app-[0-9a-f]+\.css)"/.exec(html)?.[1];
        assert.ok(css, 'the layout links the fingerprinted stylesheet');
        const sheet = await fetch(`${base}/${css}`, { headers: { 'accept-encoding': 'br' } });
        assert.equal(sheet.status, 200);
        assert.equal(sheet.headers.get('content-type'), 'text/css; charset=utf-8');
        assert.equal(sheet.headers.get('content-encoding'), 'br', 'its precompressed variant is carried too');
        assert.equal(sheet.headers.get('cache-control'), 'public, max-age=31536000, immutable');

        assert.equal(await comment(base, author, 'grace@example.com'), 303, started.output());
      });

      // The job the comment enqueued waits for `jobs work`, which renders the mail (carried views) and writes it.
      const mails = join(dir, 'tmp', 'mails');
      const worker = spawn(app, ['jobs', 'work'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let said = '';
      worker.stdout!.on('data', (d) => (said += d));
      worker.stderr!.on('data', (d) => (said += d));
      try {
        await until(`the welcome email (jobs work said: ${said})`, () => existsSync(mails) && readdirSync(mails).some((f) => f.endsWith('.eml')));
      } finally {
        assert.equal(await stop(worker), 0, said);
      }
      const eml = readFileSync(join(mails, readdirSync(mails).find((f) => f.endsWith('.eml'))!), 'utf8');
      assert.ok(eml.includes(`To: "${author}" <grace@example.com>`), eml);
      assert.ok(eml.includes(`Subject: Welcome to the conversation, ${author}!`), eml);
      const completed = run(app, ['jobs', 'list', '--queue', 'mailers', '--state', 'completed'], dir, env);
      assert.equal(completed.status, 0, completed.out);
      assert.match(completed.out, /WelcomeNotificationJob/);
      return dir;
    } finally {
      if (database) run(app, ['db', 'drop'], dir, env);
    }
  }

  it('SQLite: migrate, serve, jobs work; the database file lives beside the executable, and a config file there replaces the carried one', async () => {
    const dir = await exercise('sqlite');
    assert.ok(existsSync(join(dir, 'db', 'production.sqlite3')), 'db/production.sqlite3 beside the executable');
    // The operator's config/database.toml beside the binary wins over the one it carries.
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'database.toml'), '[production]\nadapter = "sqlite"\ndatabase = "db/operator.sqlite3"\n');
    const prepared = run(join(dir, 'blog'), ['db', 'prepare'], dir, productionEnv(dir));
    assert.equal(prepared.status, 0, prepared.out);
    assert.ok(existsSync(join(dir, 'db', 'operator.sqlite3')), prepared.out);
    rmSync(dir, { recursive: true, force: true });
  });

  it('PostgreSQL: migrate, serve, jobs work (the pg driver is carried)', async () => {
    const dir = await exercise('pg', `postgres://postgres@127.0.0.1:5432/single_sample_${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('MariaDB: migrate, serve, jobs work (mysql2 is carried)', async () => {
    const dir = await exercise('mysql', `mysql://root@127.0.0.1:3306/single_sample_${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
  });
});
