import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, COMMAND_TIMEOUT, REPO } from '../support/cli';
import { databaseTargets } from '../support/databases';

/** As a user's shell has it: no test-runner context (a nested `node --test` would skip every file), no DATABASE_URL. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'development', DATABASE_URL: '', ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function run(cwd: string, args: string[], extra: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: userEnv(extra), timeout: COMMAND_TIMEOUT });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** One file of each part `--app everything` composes. */
const PARTS = [
  'app/models/user.ts', 'app/controllers/sessions_controller.ts', // authentication
  'app/controllers/admin_controller.ts', 'app/admin/users.ts', // the admin
  'app/controllers/pwa_controller.ts', 'public/offline.html', 'public/pwa.js', // the PWA
  'app/models/post.ts', 'app/controllers/posts_controller.ts', 'app/views/posts/_form.hbs', // the scaffold, with its upload
  'app/mailers/post_mailer.ts', 'app/mailers/previews/post_mailer_preview.ts', // a mailer
  'app/jobs/announce_post_job.ts', // a job
  'app/channels/chat_channel.ts', 'app/views/home/live.hbs', 'public/live.js', // a channel and its page
  'Dockerfile', '.dockerignore', '.github/workflows/ci.yml', // --docker, --ci
  'test/everything.test.ts', 'test/browser.test.ts',
];

/** The browser tests the app's own test/browser.test.ts runs (headless Chromium through playwright-core). */
const BROWSER_TESTS = ['signs an admin in, who edits a post in the admin', 'carries a chat message from one window to another', 'registers the service worker'];

describe('stryke new --app everything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-everything-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const targets = await databaseTargets('everything', dir);
  // The app's browser test finds playwright-core (a dev dependency of stryke) as an app that installed it would.
  const withBrowser = { NODE_PATH: join(REPO, 'node_modules') };
  const chromium = existsSync('/usr/bin/chromium');
  // CI runs the app's browser tests too: there, a missing browser fails instead of skipping them.
  if (!chromium && process.env.CI === 'true') throw new Error('CI needs /usr/bin/chromium for the everything app\'s browser tests');
  if (!chromium) console.log('# no /usr/bin/chromium: the everything app\'s browser tests skip');

  it('refuses an unknown app and --api, writing nothing', () => {
    const unknown = run(dir, ['new', 'x', '--app', 'everythin']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /Unknown app "everythin"\. Did you mean "everything"\? Apps: everything\. \(STRYKE_E_GENERATOR_UNKNOWN_APP\)\n$/);
    const api = run(dir, ['new', 'y', '--app', 'everything', '--api']);
    assert.equal(api.status, 1);
    assert.match(api.stderr, /\(STRYKE_E_GENERATOR_APP_API\)\n$/);
    assert.deepEqual(readdirSync(dir).filter((f) => !f.endsWith('.sqlite3')), []);
  });

  for (const target of targets) {
    it(`generates it, migrates it on ${target.name}, and its own tests pass, the browser ones included`, { skip: target.skip }, () => {
      // Database names stryke_everything_<db>_<pid>_development and _test, dropped at the end.
      const name = `stryke-everything-${target.name}-${process.pid}`;
      const made = run(dir, ['new', name, '--app', 'everything', '--database', target.name]);
      assert.equal(made.status, 0, made.stdout + made.stderr);
      const root = join(dir, name);
      try {
        for (const f of PARTS) assert.ok(existsSync(join(root, f)), f);
        assert.match(made.stdout, /npx stryke db seed/);
        const migrations = readdirSync(join(root, 'db', 'migrations')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(15)).sort();
        assert.deepEqual(migrations, ['create_admin.ts', 'create_authentication.ts', 'create_posts.ts', 'create_storage_tables.ts']);
        assert.match(readFileSync(join(root, 'app/views/layouts/application.hbs'), 'utf8'), /<nav class="site-nav"[\s\S]*\{\{> auth\/nav\}\}[\s\S]*\{\{> pwa\/tags\}\}|\{\{> pwa\/tags\}\}[\s\S]*<nav class="site-nav"[\s\S]*\{\{> auth\/nav\}\}/);

        const migrated = run(root, ['db', 'migrate']);
        assert.equal(migrated.status, 0, migrated.stdout + migrated.stderr);
        for (const m of ['CreateAuthentication', 'CreateAdmin', 'CreatePosts', 'CreateStorageTables']) assert.match(migrated.stdout, new RegExp(m));
        if (target.name === 'sqlite') {
          // The first admin, as a new user makes one (docs/admin.md): printed once, with a random password.
          const seeded = run(root, ['db', 'seed']);
          assert.equal(seeded.status, 0, seeded.stdout + seeded.stderr);
          assert.match(seeded.stdout, /as admin@example\.com with the password [A-Za-z0-9_-]{16}\n/);
        }

        const tests = run(root, ['test'], withBrowser);
        assert.equal(tests.status, 0, tests.stdout + tests.stderr);
        assert.match(tests.stdout, /# fail 0\n/);
        assert.match(tests.stdout, chromium ? /# pass 40\n/ : /# pass 37\n/);
        if (chromium) for (const t of BROWSER_TESTS) assert.match(tests.stdout, new RegExp(`ok \\d+ - ${t}\\n`));
      } finally {
        if (target.name !== 'sqlite') {
          run(root, ['db', 'drop']);
          run(root, ['db', 'drop'], { STRYKE_ENV: 'test' });
        }
      }
    });
  }
});
