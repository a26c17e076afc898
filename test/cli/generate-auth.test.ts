import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN } from '../support/cli';
import { databaseTargets } from '../support/databases';

/** As a user's shell has it: no test-runner context (a nested `node --test` would skip every file), no DATABASE_URL. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'development', DATABASE_URL: '', ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function run(cwd: string, args: string[], extra: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: userEnv(extra), timeout: 240_000 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

const GENERATED = [
  'app/auth/authentication.ts', 'app/auth/password_reset_delivery.ts', 'app/controllers/passwords_controller.ts',
  'app/mailers/passwords_mailer.ts', 'app/views/passwords_mailer/reset.html.hbs', 'app/views/passwords_mailer/reset.text.hbs',
  'app/controllers/registrations_controller.ts', 'app/controllers/sessions_controller.ts', 'app/models/password_reset.ts',
  'app/models/session.ts', 'app/models/user.ts', 'app/views/auth/_nav.hbs', 'app/views/passwords/edit.hbs',
  'app/views/passwords/new.hbs', 'app/views/registrations/new.hbs', 'app/views/sessions/new.hbs', 'public/auth.css',
  'test/authentication.test.ts',
];

describe('stryke new --auth and stryke generate auth', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-auth-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const targets = await databaseTargets('genauth', dir);

  for (const target of targets) {
    it(`writes an app whose own authentication tests pass, on ${target.name}`, { skip: target.skip }, () => {
      const name = `auth${target.name}${process.pid}${randomBytes(2).toString('hex')}`;
      const made = run(dir, ['new', name, '--auth', '--database', target.name, '-q']);
      assert.equal(made.status, 0, made.stderr);
      const root = join(dir, name);
      try {
        for (const f of GENERATED) assert.ok(existsSync(join(root, f)), f);
        assert.match(readFileSync(join(root, 'app/views/layouts/application.hbs'), 'utf8'), /\{\{> auth\/nav\}\}/);
        const tests = run(root, ['test']);
        assert.equal(tests.status, 0, tests.stdout + tests.stderr);
        // The authentication suite (10) and the home page (1).
        assert.match(tests.stdout, /# pass 12\n/);
        assert.match(tests.stdout, /# fail 0\n/);
        assert.match(tests.stdout, /ok \d+ - answers an unknown address and a wrong password alike/);
        assert.match(tests.stdout, /ok \d+ - ends the session at sign-out: replaying the old cookie gets nobody in/);
      } finally {
        if (target.name !== 'sqlite') run(root, ['db', 'drop'], { STRYKE_ENV: 'test' });
      }
    });
  }

  it('runs again as identical, undoes with destroy, and refuses a JSON-only app or a name', () => {
    const made = run(dir, ['new', 'again', '-q']);
    assert.equal(made.status, 0, made.stderr);
    const root = join(dir, 'again');
    const first = run(root, ['generate', 'auth']);
    assert.equal(first.status, 0, first.stderr);
    for (const f of GENERATED) assert.match(first.stdout, new RegExp(`create  ${f.replace(/[.]/g, '\\.')}`));
    assert.match(first.stdout, /create  db\/migrations\/\d{14}_create_authentication\.ts/);
    assert.match(first.stdout, /add \{\{> auth\/nav\}\} to the <header>/);

    const second = run(root, ['generate', 'auth']);
    assert.equal(second.status, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /create  |conflict/);
    assert.match(second.stdout, /identical  db\/migrations\/\d{14}_create_authentication\.ts/);
    assert.match(second.stdout, /nothing to do/);

    const named = run(root, ['generate', 'auth', 'Admin']);
    assert.equal(named.status, 1);
    assert.match(named.stderr, /^stryke: `stryke generate auth` takes no name or fields \(got "Admin"\).*\(STRYKE_E_GENERATOR_AUTH_ARGS\)\n$/);

    const destroyed = run(root, ['destroy', 'auth']);
    assert.equal(destroyed.status, 0, destroyed.stderr);
    for (const f of GENERATED) assert.ok(!existsSync(join(root, f)), f);
    assert.match(destroyed.stdout, /remove  app\/auth\//);
    // The mail setup the generator added when the app had none is shared (other mailers use it): it stays.
    for (const f of ['app/mailers/application_mailer.ts', 'app/views/layouts/mailer.html.hbs', 'config/mail.toml']) assert.ok(existsSync(join(root, f)), f);

    assert.equal(run(dir, ['new', 'jsononly', '--api', '-q']).status, 0);
    const api = run(join(dir, 'jsononly'), ['generate', 'auth']);
    assert.equal(api.status, 1);
    assert.match(api.stderr, /STRYKE_E_GENERATOR_AUTH_API_APP/);
    const both = run(dir, ['new', 'both', '--api', '--auth', '-q']);
    assert.equal(both.status, 1);
    assert.match(both.stderr, /STRYKE_E_GENERATOR_AUTH_API_APP/);
    assert.ok(!existsSync(join(dir, 'both')));
  });
});
