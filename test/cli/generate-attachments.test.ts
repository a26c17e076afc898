import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createTestApp } from 'stryke/testing';
import { BIN } from '../support/cli';
import { png } from '../storage/support';

function run(cwd: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'development', DATABASE_URL: '' };
  delete env.NODE_TEST_CONTEXT;
  const res = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env, timeout: 180_000 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('stryke generate scaffold Post cover:attachment, end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-gen-attach-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the model, the multipart form, the storage migration; the app uploads and shows the cover', async () => {
    assert.equal(run(dir, 'new', 'shop', '-q').status, 0);
    const root = join(dir, 'shop');
    const gen = run(root, 'generate', 'scaffold', 'Post', 'title:string', 'cover:attachment');
    assert.equal(gen.status, 0, gen.stderr);
    assert.match(gen.stdout, /create\s+db\/migrations\/\d{14}_create_storage_tables\.ts/);
    const again = run(root, 'generate', 'storage');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /identical\s+db\/migrations\/\d{14}_create_storage_tables\.ts/);
    assert.equal(readdirSync(join(root, 'db', 'migrations')).filter((f) => f.includes('storage')).length, 1);
    const bad = run(root, 'generate', 'migration', 'AddLogoToPosts', 'logo:attachment');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /an attachment has no column/);
    const migrated = run(root, 'db', 'migrate');
    assert.equal(migrated.status, 0, migrated.stderr);
    const tests = run(root, 'test');
    assert.equal(tests.status, 0, tests.stdout + tests.stderr);

    const app = await createTestApp({ root, database: { adapter: 'sqlite', database: join(dir, 'e2e.sqlite3') } });
    try {
      const browser = app.client();
      const form = await browser.get('/posts/new');
      assert.match(form.body, /enctype="multipart\/form-data"/);
      assert.match(form.body, /<input id="post_cover" name="post\[cover\]" type="file">/);
      const created = await browser.post('/posts', { multipart: { fields: { post: { title: 'With a cover' } }, files: [{ field: 'post[cover]', filename: 'cover.png', contentType: 'image/png', data: png(2048) }] } });
      assert.equal(created.status, 303, created.body);
      const page = await browser.get(String(created.headers.location));
      const src = /<img src="([^"]+)" alt="cover.png"/.exec(page.body)?.[1];
      assert.ok(src, page.body);
      const image = await app.client().get(src!.replace(/&amp;/g, '&'));
      assert.equal(image.status, 200);
      assert.equal(image.headers['content-type'], 'image/png');
      assert.equal(image.rawBody.length, 2048);
      assert.ok(existsSync(join(root, 'tmp', 'storage')), 'test uploads are kept under tmp/storage');
    } finally {
      await app.close();
    }
  });
});
