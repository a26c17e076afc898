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

const GENERATED = ['app/controllers/admin_controller.ts', 'app/admin/users.ts', 'test/admin.test.ts', 'app/models/user.ts', 'app/controllers/sessions_controller.ts'];

describe('stryke new --admin and stryke generate admin', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-admin-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const targets = await databaseTargets('genadmin', dir);

  for (const target of targets) {
    it(`writes an app whose own admin tests pass, on ${target.name}`, { skip: target.skip }, () => {
      const name = `adm${target.name}${process.pid}${randomBytes(2).toString('hex')}`;
      const made = run(dir, ['new', name, '--admin', '--database', target.name, '-q']);
      assert.equal(made.status, 0, made.stderr);
      const root = join(dir, name);
      try {
        for (const f of GENERATED) assert.ok(existsSync(join(root, f)), f);
        assert.match(readFileSync(join(root, 'app/models/user.ts'), 'utf8'), /@Field\(\{ type: 'boolean', default: false \}\) admin!: boolean;/);
        const tests = run(root, ['test']);
        assert.equal(tests.status, 0, tests.stdout + tests.stderr);
        // Authentication (11, the emailed reset link included), the admin (4) and the home page (1).
        assert.match(tests.stdout, /# pass 16\n/);
        assert.match(tests.stdout, /# fail 0\n/);
        assert.match(tests.stdout, /ok \d+ - lists, searches, edits with a validation error, fixes it, and records the change/);
      } finally {
        if (target.name !== 'sqlite') run(root, ['db', 'drop'], { STRYKE_ENV: 'test' });
      }
    });
  }

  it('adds the admin to an app with auth, runs again as identical, and refuses a name or an app without auth', () => {
    const made = run(dir, ['new', 'plain', '-q']);
    assert.equal(made.status, 0, made.stderr);
    const root = join(dir, 'plain');
    const noAuth = run(root, ['generate', 'admin']);
    assert.equal(noAuth.status, 1);
    assert.match(noAuth.stderr, /run `npx stryke generate auth` first.*\(STRYKE_E_GENERATOR_ADMIN_NEEDS_AUTH\)\n$/);
    assert.equal(run(root, ['generate', 'auth']).status, 0);
    const first = run(root, ['generate', 'admin']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /create  app\/controllers\/admin_controller\.ts/);
    assert.match(first.stdout, /create  db\/migrations\/\d{14}_create_admin\.ts/);
    assert.match(first.stdout, /added `admin` \(a boolean\) to app\/models\/user\.ts/);
    assert.equal((readFileSync(join(root, 'app/models/user.ts'), 'utf8').match(/admin!: boolean/g) ?? []).length, 1);
    const second = run(root, ['generate', 'admin']);
    assert.equal(second.status, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /create  |conflict/);
    assert.match(second.stdout, /already has an `admin` field/);
    assert.equal((readFileSync(join(root, 'app/models/user.ts'), 'utf8').match(/admin!: boolean/g) ?? []).length, 1);
    const named = run(root, ['generate', 'admin', 'Posts']);
    assert.equal(named.status, 1);
    assert.match(named.stderr, /\(STRYKE_E_GENERATOR_ADMIN_ARGS\)\n$/);
  });
});
