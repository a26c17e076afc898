import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { TestApp } from 'stryke/testing';
import { countPosts } from '../support/count';
import { bootSampleApp, signedInClient } from '../support/sample-app';

describe('sample app: HTML CRUD over posts', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
  });
  after(() => app.close());
  beforeEach(() => app.reset());

  it('lists posts, creates one through the form, and shows the flash exactly once', async () => {
    const browser = await signedInClient(app);
    const empty = await browser.get('/posts');
    assert.equal(empty.status, 200);
    assert.match(empty.body, /No posts yet/);

    const form = await browser.get('/posts/new');
    assert.equal(form.status, 200);
    assert.match(form.body, /name="authenticity_token"/);

    const created = await browser.post('/posts', { form: { post: { title: 'Hello stryke', body: 'A body long enough', published: 'true' } } });
    assert.equal(created.status, 303);
    assert.match(String(created.headers.location), /^\/posts\/\d+$/);

    const shown = await browser.get(String(created.headers.location));
    assert.equal(shown.status, 200);
    assert.match(shown.body, /Post was successfully created\./);
    assert.match(shown.body, /Hello stryke/);

    const again = await browser.get(String(created.headers.location));
    assert.doesNotMatch(again.body, /Post was successfully created\./, 'flash survives exactly one request');

    const index = await browser.get('/posts');
    assert.match(index.body, /Hello stryke/);
  });

  it('re-renders the form with 422 and per-field errors when invalid', async () => {
    const browser = await signedInClient(app);
    await browser.get('/posts/new');
    const res = await browser.post('/posts', { form: { post: { title: 'ab', body: '' } } });
    assert.equal(res.status, 422);
    assert.match(res.body, /Title is too short \(minimum is 3 characters\)/);
    assert.match(res.body, /Body can&#x27;t be blank/);
    assert.match(res.body, /value="ab"/, 'the form keeps what the user typed');
    assert.equal(await countPosts(app), 0);
  });

  it('edits through PATCH tunnelled in a POST form, and deletes through DELETE', async () => {
    const browser = await signedInClient(app);
    await browser.get('/posts/new');
    const created = await browser.post('/posts', { form: { post: { title: 'Original', body: 'Body text' } } });
    const url = String(created.headers.location);

    const edit = await browser.get(`${url}/edit`);
    assert.equal(edit.status, 200);
    assert.match(edit.body, /name="_method" value="patch"/);

    const updated = await browser.post(url, { form: { _method: 'patch', post: { title: 'Renamed', body: 'Body text' } } });
    assert.equal(updated.status, 303);
    assert.match((await browser.get(url)).body, /Renamed/);

    const invalid = await browser.post(url, { form: { _method: 'patch', post: { title: '' } } });
    assert.equal(invalid.status, 422);
    assert.match(invalid.body, /Editing post/);

    const deleted = await browser.post(url, { form: { _method: 'delete' } });
    assert.equal(deleted.status, 303);
    assert.equal(deleted.headers.location, '/posts');
    assert.equal((await browser.get(url)).status, 404);
  });

  it('answers 404 for a missing or malformed id, as an HTML page', async () => {
    const res = await app.client().get('/posts/999999');
    assert.equal(res.status, 404);
    assert.match(String(res.headers['content-type']), /text\/html/);
    const bad = await app.client().get('/posts/not-a-number');
    assert.equal(bad.status, 404);
  });

  it('adds and removes comments on a post', async () => {
    const browser = await signedInClient(app);
    await browser.get('/posts/new');
    const created = await browser.post('/posts', { form: { post: { title: 'With comments', body: 'Body text' } } });
    const url = String(created.headers.location);
    await browser.get(url);
    const added = await browser.post(`${url}/comments`, { form: { comment: { author: 'Ada', body: 'First!' } } });
    assert.equal(added.status, 303);
    const shown = await browser.get(url);
    assert.match(shown.body, /Comments \(1\)/);
    assert.match(shown.body, /First!/);
    const commentPath = /action="(\/posts\/\d+\/comments\/\d+)"/.exec(shown.body)?.[1];
    assert.ok(commentPath, 'the page has a remove button for the comment');
    const removed = await browser.post(commentPath, { form: { _method: 'delete' } });
    assert.equal(removed.status, 303);
    assert.match((await browser.get(url)).body, /Comments \(0\)/);
  });

  it('redirects / to /posts and answers /health', async () => {
    const root = await app.client().get('/');
    assert.equal(root.status, 302);
    assert.equal(root.headers.location, '/posts');
    const health = await app.client().get('/health');
    assert.equal(health.status, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
  });

  it('escapes user content in views', async () => {
    const browser = await signedInClient(app);
    await browser.get('/posts/new');
    const created = await browser.post('/posts', { form: { post: { title: '<script>alert(1)</script>', body: 'x & y' } } });
    const shown = await browser.get(String(created.headers.location));
    assert.doesNotMatch(shown.body, /<script>alert/);
    assert.match(shown.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });
});
