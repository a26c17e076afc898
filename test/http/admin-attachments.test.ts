import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditLogOf } from 'stryke/admin';
import type { TestApp, TestClient } from 'stryke/testing';
import { REPO } from '../support/cli';
import { bootSampleApp, signedInClient } from '../support/sample-app';

/** A PNG's first bytes, then `tag` (two files that differ). stryke sniffs a file's type from its bytes. */
const png = (tag: string) => Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.from(tag)]);

/** The admin's new and edit forms with the sample app's `cover` (@HasOneAttached): upload, show, replace, remove. */
describe('admin attachments (sample app)', () => {
  let app: TestApp;
  let admin: TestClient;
  let Post: any;
  let authorId: number;
  before(async () => {
    app = await bootSampleApp();
    await app.reset();
    const User = require(join(REPO, 'sample-app', 'build', 'app', 'models', 'user')).User;
    Post = require(join(REPO, 'sample-app', 'build', 'app', 'models', 'post')).Post;
    admin = await signedInClient(app, 'root@example.com');
    await User.where({ email: 'root@example.com' }).updateAll({ admin: true });
    authorId = (await User.findBy({ email: 'root@example.com' })).id;
  });
  after(() => app.close());

  /** The cover's file name and signed URL on the admin's show page (undefined when none). */
  async function shownCover(id: number): Promise<{ filename: string; url: string } | undefined> {
    const show = await admin.get(`/admin/posts/${id}`);
    assert.equal(show.status, 200);
    const m = /<dt>cover<\/dt><dd><div class="files"><a class="file" href="([^"]+)"[^>]*><img src="[^"]+" alt=""><span>([^<]+)<\/span>/.exec(show.body);
    return m ? { url: m[1]!.replace(/&#38;/g, '&'), filename: m[2]! } : undefined;
  }

  it('uploads a cover with a new record, shows it, replaces it, and removes it, each in the audit log', async () => {
    const form = await admin.get('/admin/posts/new');
    assert.match(form.body, /<form class="record" method="post" action="\/admin\/posts" enctype="multipart\/form-data"/);
    assert.match(form.body, /<input id="f-cover" type="file" name="cover">/);

    const created = await admin.post('/admin/posts', {
      multipart: { fields: { title: 'With a cover', body: 'Body', published: 'true', authorId: String(authorId) }, files: [{ field: 'cover', filename: 'first.png', contentType: 'image/png', data: png('first') }] },
    });
    assert.equal(created.status, 303, created.body);
    const id = Number(/\/admin\/posts\/(\d+)$/.exec(String(created.headers.location))![1]);
    const first = await shownCover(id);
    assert.equal(first?.filename, 'first.png');
    const bytes = await app.client().get(first!.url);
    assert.equal(bytes.status, 200);
    assert.equal(bytes.headers['content-type'], 'image/png');
    assert.equal(bytes.rawBody.subarray(16).toString(), 'first');
    assert.deepEqual((await auditLogOf(Post, id))[0]?.changes?.cover, [null, 'first.png']);

    // The edit form shows the current file, with a box to remove it and an input to replace it.
    const edit = await admin.get(`/admin/posts/${id}/edit`);
    assert.match(edit.body, /<span>first\.png<\/span>/);
    assert.match(edit.body, /<input type="checkbox" name="remove_attachments\[\]" value="cover"> Remove it/);
    const replaced = await admin.post(`/admin/posts/${id}`, {
      multipart: { fields: { title: 'With a cover' }, files: [{ field: 'cover', filename: 'second.png', contentType: 'image/png', data: png('second') }] },
    });
    assert.equal(replaced.status, 303);
    const second = await shownCover(id);
    assert.equal(second?.filename, 'second.png');
    assert.equal((await app.client().get(second!.url)).rawBody.subarray(16).toString(), 'second');
    assert.deepEqual((await auditLogOf(Post, id))[0]?.changes, { cover: ['first.png', 'second.png'] });

    // Saving without a file keeps the one there.
    await admin.get(`/admin/posts/${id}/edit`);
    assert.equal((await admin.post(`/admin/posts/${id}`, { multipart: { fields: { title: 'Renamed' } } })).status, 303);
    assert.equal((await shownCover(id))?.filename, 'second.png');

    await admin.get(`/admin/posts/${id}/edit`);
    const removed = await admin.post(`/admin/posts/${id}`, { multipart: { fields: { title: 'Renamed', remove_attachments: ['cover'] } } });
    assert.equal(removed.status, 303);
    assert.equal(await shownCover(id), undefined);
    assert.match((await admin.get(`/admin/posts/${id}`)).body, /<dt>cover<\/dt><dd><span style="color:#98a2b3">none<\/span>/);
    assert.deepEqual((await auditLogOf(Post, id))[0]?.changes, { cover: ['second.png', null] });
    assert.doesNotMatch((await admin.get(`/admin/posts/${id}/edit`)).body, /remove_attachments/);
  });

  it('keeps the file out of a record that fails validation, refuses a file of a type not allowed, and names no other field', async () => {
    await admin.get('/admin/posts/new');
    const invalid = await admin.post('/admin/posts', {
      multipart: { fields: { title: '', body: 'Body', authorId: String(authorId) }, files: [{ field: 'cover', filename: 'lost.png', contentType: 'image/png', data: png('lost') }] },
    });
    assert.equal(invalid.status, 422);
    assert.match(invalid.body, /Title can&#39;t be blank|Title can.t be blank/);
    assert.equal(await Post.where({ body: 'Body', title: '' }).exists(), false);

    const before = await Post.count();
    await admin.get('/admin/posts/new');
    const html = await admin.post('/admin/posts', {
      multipart: { fields: { title: 'Script', body: 'Body', authorId: String(authorId) }, files: [{ field: 'cover', filename: 'x.html', contentType: 'image/png', data: Buffer.from('<html><script>alert(1)</script>') }] },
    });
    assert.ok(html.status >= 400, `a disallowed type is refused (${html.status})`);
    assert.equal(await Post.count(), before);

    // A file sent under a field's name is never an attribute: the title stays unset, and the form says so.
    await admin.get('/admin/posts/new');
    const stray = await admin.post('/admin/posts', {
      multipart: { fields: { body: 'Stray', authorId: String(authorId) }, files: [{ field: 'title', filename: 'b.png', contentType: 'image/png', data: png('b') }] },
    });
    assert.equal(stray.status, 422);
    assert.equal(await Post.where({ body: 'Stray' }).exists(), false);
  });
});
