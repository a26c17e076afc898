import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { databaseTargets } from '../support/databases';
import { REPO, stryke } from '../support/cli';

const SAMPLE = join(REPO, 'sample-app');

describe('stryke db, on the sample app', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-db-cli-'));
  const targets = await databaseTargets('dbcli', dir);

  for (const target of targets) {
    describe(target.name, { skip: target.skip }, () => {
      const c = target.config;
      const url = c.adapter === 'sqlite'
        ? `sqlite:${c.database}`
        : `${c.adapter}://${c.username}${c.password ? `:${c.password}` : ''}@${c.host}:${c.port}/${c.database}`;
      const env = { DATABASE_URL: url };
      const run = (...args: string[]) => stryke(['db', ...args, '--root', SAMPLE], { env });
      after(() => run('drop'));

      it('creates, migrates, reports status, rolls back and re-migrates', () => {
        const created = run('create');
        assert.equal(created.status, 0, created.stderr);
        assert.match(created.stdout, /Created/);
        assert.match(run('create').stdout, /already exists/);

        const migrated = run('migrate');
        assert.equal(migrated.status, 0, migrated.stderr);
        assert.match(migrated.stdout, /20260426120000 CreatePosts: migrated/);
        assert.match(migrated.stdout, /20260426120100 CreateComments: migrated/);
        assert.match(run('migrate').stdout, /Nothing to migrate/);

        const status = run('status');
        assert.equal(status.status, 0, status.stderr);
        assert.match(status.stdout, /up\s+20260426120000\s+create_posts/);
        assert.match(status.stdout, /up\s+20260426120100\s+create_comments/);

        const rolled = run('rollback');
        assert.equal(rolled.status, 0, rolled.stderr);
        assert.match(rolled.stdout, /CreateComments: reverted/);
        assert.match(run('status').stdout, /down\s+20260426120100\s+create_comments/);

        assert.equal(run('migrate').status, 0);
        const seeded = run('seed');
        assert.equal(seeded.status, 0, seeded.stderr);
        assert.match(seeded.stdout, /Seeded/);
      });

      it('refuses a bad --step in one line', () => {
        const res = run('rollback', '--step', 'two');
        assert.equal(res.status, 1);
        assert.equal(res.stderr.trim().split('\n').length, 1);
        assert.match(res.stderr, /--step must be a positive integer/);
      });
    });
  }
});

describe('stryke db prepare', () => {
  it('creates, migrates and seeds a fresh SQLite database once', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stryke-prepare-')), 'dev.sqlite3');
    const env = { DATABASE_URL: `sqlite:${file}` };
    const first = stryke(['db', 'prepare', '--root', SAMPLE], { env });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /Created/);
    assert.match(first.stdout, /Seeded/);
    const second = stryke(['db', 'prepare', '--root', SAMPLE], { env });
    assert.equal(second.status, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /Seeded/);
  });
});

describe('the stryke command line', () => {
  it('refuses an unknown command in one line with a suggestion', () => {
    const res = stryke(['rotues']);
    assert.equal(res.status, 1);
    assert.match(res.stderr, /Unknown command "rotues"\. Did you mean "routes"\?/);
  });

  it('refuses to run outside an app', () => {
    const res = stryke(['db', 'migrate', '--root', tmpdir()]);
    assert.equal(res.status, 1);
    assert.match(res.stderr, /is not a stryke app/);
  });

  it('prints the route table', () => {
    const res = stryke(['routes', '--root', SAMPLE]);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /postsPath\s+GET\s+\/posts\s+PostsController#index/);
    assert.match(res.stdout, /editPostPath\s+GET\s+\/posts\/:id\/edit\s+PostsController#edit\s+before:setPost/);
    assert.match(res.stdout, /postCommentsPath\s+POST\s+\/posts\/:postId\/comments\s+CommentsController#create/);
    const grep = stryke(['routes', '--root', SAMPLE, '--grep', 'comment']);
    assert.doesNotMatch(grep.stdout, /PostsController/);
  });
});
