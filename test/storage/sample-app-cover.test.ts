import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from 'stryke/testing';
import { bootSampleApp, signedInClient } from '../support/sample-app';
import { png } from './support';

describe('sample app: a post with a cover image', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
    await app.reset();
  });
  after(() => app.close());

  it('uploads the cover with the form, shows it on the post page, refuses a non-image', async () => {
    const browser = await signedInClient(app);
    const form = await browser.get('/posts/new');
    assert.match(form.body, /enctype="multipart\/form-data"/);
    assert.match(form.body, /type="file" id="post_cover" name="post\[cover\]"/);
    const created = await browser.post('/posts', { multipart: { fields: { post: { title: 'Covered', body: 'A post with a cover image' } }, files: [{ field: 'post[cover]', filename: 'cover.png', contentType: 'image/png', data: png(4096) }] } });
    assert.equal(created.status, 303, created.body);
    const page = await browser.get(String(created.headers.location));
    const src = /<figure class="cover"><img src="([^"]+)" alt="Covered">/.exec(page.body)?.[1];
    assert.ok(src, 'the post page shows the cover');
    const image = await app.client().get(src!);
    assert.equal(image.status, 200);
    assert.equal(image.headers['content-type'], 'image/png');
    assert.equal(image.rawBody.length, 4096);

    await browser.get('/posts/new');
    const pdf = await browser.post('/posts', { multipart: { fields: { post: { title: 'Not an image', body: 'Body text' } }, files: [{ field: 'post[cover]', filename: 'cover.png', data: '%PDF-1.4 not an image' }] } });
    assert.equal(pdf.status, 415);
    assert.match(pdf.body, /application\/pdf, which this app does not accept/);
  });

  it('a post without a cover renders no figure', async () => {
    const browser = await signedInClient(app);
    await browser.get('/posts/new');
    const created = await browser.post('/posts', { form: { post: { title: 'Plain post', body: 'No cover here' } } });
    const page = await browser.get(String(created.headers.location));
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.body, /<figure class="cover">/);
  });
});
