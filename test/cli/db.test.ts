import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { copySampleApp } from '../support/sample-app';
import { stryke } from '../support/cli';
import { dbCommandsSuite } from './db-commands-suite';

const SAMPLE = copySampleApp();

dbCommandsSuite('sqlite');

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
