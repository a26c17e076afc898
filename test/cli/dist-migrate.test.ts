import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO, stryke } from '../support/cli';

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
});
