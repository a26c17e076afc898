import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditLogOf } from 'stryke/admin';
import type { TestApp, TestClient } from 'stryke/testing';
import { REPO } from '../support/cli';
import { bootSampleApp, signedInClient } from '../support/sample-app';

/** The admin on the sample app: associations, CSRF, unknown models, hostile parameters, and 100,000 rows. */
describe('admin (sample app)', () => {
  let app: TestApp;
  let admin: TestClient;
  let User: any;
  let Post: any;
  before(async () => {
    app = await bootSampleApp();
    await app.reset();
    User = require(join(REPO, 'sample-app', 'build', 'app', 'models', 'user')).User;
    Post = require(join(REPO, 'sample-app', 'build', 'app', 'models', 'post')).Post;
    admin = await signedInClient(app, 'root@example.com');
    await User.where({ email: 'root@example.com' }).updateAll({ admin: true });
    // 100,000 posts in one statement (a recursive CTE), by the admin.
    const me = await User.findBy({ email: 'root@example.com' });
    const sql = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
      INSERT INTO posts (title, body, published, authorId, createdAt, updatedAt)
      SELECT 'Post ' || i, CASE WHEN i = 77777 THEN '=HYPERLINK("http://evil")' ELSE 'Body ' || i END, i % 2, ${Number(me.id)}, '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM n`;
    await rawExec(Post, sql);
    await admin.get('/admin');
  });
  after(() => app.close());

  async function rawExec(model: any, sql: string) {
    const { metaOf } = require(join(REPO, 'build', 'framework', 'orm', 'meta'));
    await metaOf(model).db.execute(sql, []);
  }

  it('lists 100,000 rows a page at a time: keyset next pages, search, filters, sorting', async () => {
    assert.equal(await Post.count(), 100_000);
    const first = await admin.get('/admin/posts');
    assert.equal(first.status, 200);
    assert.equal((first.body.match(/<tr><td class="check">/g) ?? []).length, 25);
    assert.match(first.body, /Post 100000/);
    const next = /href="([^"]*after=[^"]*)"/.exec(first.body)![1]!.replace(/&#38;/g, '&');
    assert.match(next, /after=99976/);
    const second = await admin.get(next);
    assert.match(second.body, /Post 99975/);
    const found = await admin.get('/admin/posts?q=post%2077777');
    assert.equal((found.body.match(/<tr><td class="check">/g) ?? []).length, 1);
    const sorted = await admin.get('/admin/posts?sort=title&dir=asc&page=2');
    assert.equal(sorted.status, 200);
    const hostile = await admin.get('/admin/posts?sort=title%3B%20DROP%20TABLE%20posts&dir=up&f_published[gt]=1&after=x');
    assert.equal(hostile.status, 200);
    assert.equal(await Post.count(), 100_000);
  });

  it('shows has-many counts linking to the filtered list, and belongsTo selects on the form', async () => {
    const me = await User.findBy({ email: 'root@example.com' });
    const show = await admin.get(`/admin/users/${me.id}`);
    assert.match(show.body, new RegExp(`href="/admin/sessions\\?f_userId=${me.id}">1 record`));
    const sessions = await admin.get(`/admin/sessions?f_userId=${me.id}`);
    assert.equal((sessions.body.match(/<tr><td class="check">/g) ?? []).length, 1);
    const mine = await admin.get(`/admin/posts?f_authorId=${me.id}&f_published=true`);
    assert.equal((mine.body.match(/<tr><td class="check">/g) ?? []).length, 25);
    const edit = await admin.get('/admin/posts/1/edit');
    assert.match(edit.body, /<select id="f-authorId" name="authorId">[\s\S]*root@example\.com \(#\d+\)/);
  });

  it('exports CSV with formula cells neutralised', async () => {
    const csv = await admin.get('/admin/posts/export?q=post%2077777');
    assert.equal(csv.status, 200);
    assert.match(csv.body, /"'=HYPERLINK\(""http:\/\/evil""\)"/);
  });

  it('assigns only declared fields, refuses a form without its CSRF token, and 404s an unknown model', async () => {
    await admin.get('/admin/posts/2/edit');
    const res = await admin.post('/admin/posts/2', { form: { title: 'Renamed', id: '999999', createdAt: '1999-01-01', published: 'true' } });
    assert.equal(res.status, 303);
    const post = await Post.find(2);
    assert.equal(post.title, 'Renamed');
    assert.equal(post.createdAt.getUTCFullYear(), 2026);
    assert.equal(await Post.where({ id: 999999 }).exists(), false);
    const [entry] = await auditLogOf(Post, 2);
    assert.deepEqual(Object.keys(entry!.changes!).sort(), ['published', 'title']);

    const forged = await admin.post('/admin/posts/bulk_delete', { form: { ids: ['3'] }, withoutCsrf: true });
    assert.equal(forged.status, 403);
    assert.match(forged.body, /CSRF/i);
    await admin.get('/admin/posts');
    const bulk = await admin.post('/admin/posts/bulk_delete', { form: { ids: ['4', '5'] } });
    assert.equal(bulk.status, 303);
    assert.equal(await Post.where({ id: 4 }).exists(), false);
    assert.equal((await auditLogOf(Post, 5))[0]?.action, 'destroy');
    assert.ok(await Post.where({ id: 3 }).exists());

    assert.equal((await admin.get('/admin/nonsense')).status, 404);
  });
});
