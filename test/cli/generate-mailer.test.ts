import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import { BIN } from '../support/cli';

function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'development', DATABASE_URL: '' };
  delete env.NODE_TEST_CONTEXT; // else the nested `node --test` of `stryke test` skips every file
  return env;
}

function run(cwd: string, ...args: string[]) {
  const res = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: userEnv(), timeout: 180_000 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Every file under root but node_modules, build, tmp and local databases, with its content. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (['node_modules', 'build', 'tmp', 'dist'].includes(name) || name.includes('.sqlite3')) continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(root, full), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return out;
}

describe('stryke generate mailer', () => {
  const root = join(mkdtempSync(join(tmpdir(), 'stryke-gen-mailer-')), 'shop');
  before(() => {
    const res = run(join(root, '..'), 'new', 'shop', '-q');
    assert.equal(res.status, 0, res.stderr);
  });

  it('writes the mailer, a template per part and action, the layouts, the preview, the test and config/mail.toml', () => {
    const res = run(root, 'generate', 'mailer', 'UserMailer', 'welcome', 'password_reset');
    assert.equal(res.status, 0, res.stderr);
    for (const file of [
      'app/mailers/application_mailer.ts', 'app/mailers/user_mailer.ts', 'app/mailers/previews/user_mailer_preview.ts',
      'app/views/user_mailer/welcome.html.hbs', 'app/views/user_mailer/welcome.text.hbs',
      'app/views/user_mailer/password_reset.html.hbs', 'app/views/user_mailer/password_reset.text.hbs',
      'app/views/layouts/mailer.html.hbs', 'app/views/layouts/mailer.text.hbs', 'config/mail.toml', 'test/mailers/user_mailer.test.ts',
    ]) assert.match(res.stdout, new RegExp(`^ +create {2}${file.replace(/\./g, '\\.')}$`, 'm'), file);
    const mailer = readFileSync(join(root, 'app/mailers/user_mailer.ts'), 'utf8');
    assert.match(mailer, /^@Mailer\(\)\nexport class UserMailer extends ApplicationMailer \{\n {2}static welcome\(to: Recipient\) \{\n {4}return this\.mail\(\{$/m);
    assert.match(mailer, /^ {2}static passwordReset\(to: Recipient\) \{$/m);
    assert.match(mailer, /subject: 'Password reset',/);
    const preview = readFileSync(join(root, 'app/mailers/previews/user_mailer_preview.ts'), 'utf8');
    assert.match(preview, /^@Preview\(\)\nexport class UserMailerPreview \{$/m);
    assert.match(preview, /return UserMailer\.passwordReset\(\{ name: 'Ada Lovelace', email: 'ada@example\.com' \}\);/);
    assert.match(readFileSync(join(root, 'test/mailers/user_mailer.test.ts'), 'utf8'), /assertDelivered\(\{ to: 'ada@example\.com', subject: 'Welcome' \}\)/);
    assert.match(readFileSync(join(root, 'config/mail.toml'), 'utf8'), /^\[test\]\ndelivery_method = "test"$/m);

    const again = run(root, 'generate', 'mailer', 'User', 'welcome', 'password_reset');
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /create|force/);
    assert.match(again.stdout, /nothing to do/);
  });

  it('compiles, and its test passes against the generated templates', () => {
    const built = run(root, 'build');
    assert.equal(built.status, 0, built.stdout + built.stderr);
    const tests = run(root, 'test');
    assert.equal(tests.status, 0, tests.stdout + tests.stderr);
    assert.match(tests.stdout, /^ok \d+ - UserMailer$/m);
    assert.match(tests.stdout, /# fail 0\n/);
  });

  it('refuses bad names and actions in one line, writing nothing', () => {
    const before = snapshot(root);
    for (const [args, pattern] of [
      [['Mailer', 'welcome'], /"Mailer" cannot be used as a name: .*\(STRYKE_E_GENERATOR_BAD_NAME\)$/],
      [['Order'], /a mailer needs at least one action.*\(STRYKE_E_GENERATOR_BAD_ACTION\)$/],
      [['Order', 'mail'], /Bad action name "mail": the name is taken by ApplicationMailer.*\(STRYKE_E_GENERATOR_BAD_ACTION\)$/],
      [['Order', 'Shipped'], /Bad action name "Shipped": an action is a method name.*\(STRYKE_E_GENERATOR_BAD_ACTION\)$/],
      [['Order', 'shipped', 'shipped'], /"shipped": it is given twice/],
    ] as [string[], RegExp][]) {
      const res = run(root, 'generate', 'mailer', ...args);
      assert.equal(res.status, 1, args.join(' '));
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
      assert.match(res.stderr.trim(), pattern);
    }
    assert.deepEqual(snapshot(root), before);
  });

  it('destroy removes what it wrote (reading the actions from the mailer) and keeps the shared files', () => {
    const before = snapshot(root);
    const res = run(root, 'destroy', 'mailer', 'UserMailer');
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /^ +remove {2}app\/views\/user_mailer\/password_reset\.text\.hbs$/m);
    assert.match(res.stdout, /^ +keep {2}app\/mailers\/application_mailer\.ts$/m);
    const after = snapshot(root);
    const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
    assert.deepEqual(removed, [
      'app/mailers/previews/user_mailer_preview.ts', 'app/mailers/user_mailer.ts',
      'app/views/user_mailer/password_reset.html.hbs', 'app/views/user_mailer/password_reset.text.hbs',
      'app/views/user_mailer/welcome.html.hbs', 'app/views/user_mailer/welcome.text.hbs', 'test/mailers/user_mailer.test.ts',
    ]);
    assert.ok(!existsSync(join(root, 'app/views/user_mailer')));
    assert.ok(!existsSync(join(root, 'build/app/mailers/user_mailer.js')), 'the compiled mailer is gone');
    for (const kept of ['app/mailers/application_mailer.ts', 'app/views/layouts/mailer.html.hbs', 'config/mail.toml']) assert.ok(after.has(kept), kept);
  });
});
