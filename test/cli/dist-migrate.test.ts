import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO, stryke, withServer } from '../support/cli';
import { notesApp } from '../support/notes-app';

describe('a deployed build migrates itself', () => {
  it('stryke db migrate --root dist applies the compiled migrations, with no sources present', () => {
    const deployed = join(mkdtempSync(join(tmpdir(), 'stryke-deploy-')), 'app');
    const built = stryke(['build', '--root', join(REPO, 'sample-app'), '--out', deployed]);
    assert.equal(built.status, 0, built.stderr);
    // What `npm install --omit=dev` does on the server: the framework as a dependency.
    mkdirSync(join(deployed, 'node_modules'));
    symlinkSync(REPO, join(deployed, 'node_modules', 'stryke'), 'dir');
    const env = { DATABASE_URL: `sqlite:${join(deployed, 'db', 'production.sqlite3')}`, STRYKE_ENV: 'production', SECRET_KEY_BASE: 's'.repeat(64) };
    const migrated = stryke(['db', 'migrate', '--root', deployed], { env });
    assert.equal(migrated.status, 0, migrated.stderr + migrated.stdout);
    assert.match(migrated.stdout, /migrating 20260426120000 CreatePosts … done/);
    const status = stryke(['db', 'status', '--root', deployed], { env });
    assert.match(status.stdout, /up\s+20260426120100\s+create_comments/);
  });

  it('a build written outside the app (--out) serves from its bundle, and its db commands say in one line what it lacks', async () => {
    const root = notesApp();
    const out = join(mkdtempSync(join(tmpdir(), 'stryke-out-')), 'blog');
    const built = stryke(['build', '--out', out], { cwd: root });
    assert.equal(built.status, 0, built.stderr + built.stdout);
    assert.match(built.stdout, /has no node_modules: run `npm install --omit=dev` there before `stryke db migrate`/);
    const env = { STRYKE_ENV: 'production', SECRET_KEY_BASE: 's'.repeat(64) };

    // Before: `Cannot find module 'stryke'` from the first migration, with its require stack.
    const refused = stryke(['db', 'prepare'], { cwd: out, env });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^stryke: \S+\/blog cannot load `stryke`: .*`npm install --omit=dev` in it.*\(STRYKE_E_CLI_NO_PACKAGES\)\n$/);

    // Installed there (what `npm install --omit=dev` does with the framework), the database is prepared; then,
    // the packages gone again, the server bundle still serves: it carries `stryke` and the app's own packages.
    mkdirSync(join(out, 'node_modules'));
    symlinkSync(REPO, join(out, 'node_modules', 'stryke'), 'dir');
    const prepared = stryke(['db', 'prepare'], { cwd: out, env });
    assert.equal(prepared.status, 0, prepared.stderr + prepared.stdout);
    rmSync(join(out, 'node_modules'), { recursive: true });
    const notes = await withServer(['start', '--workers', '1', '--host', '127.0.0.1'], { cwd: out, env }, async (base) => {
      const res = await fetch(`${base}/notes`);
      return { status: res.status, body: await res.json() };
    });
    assert.deepEqual(notes, { status: 200, body: { notes: ['seeded'] } });
  });
});
