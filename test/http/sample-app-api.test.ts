import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from 'stryke/testing';
import { bootSampleApp, signedInApiClient } from '../support/sample-app';

describe('sample app: the namespaced JSON API and nested comments', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
    await app.reset();
  });
  after(() => app.close());

  it('serves published posts only at /api/v1/posts, with their comments on show, and 304 when unchanged', async () => {
    const api = await signedInApiClient(app);
    const published = (await api.post('/posts.json', { json: { title: 'Published', body: 'Body', published: true } })).json();
    await api.post('/posts.json', { json: { title: 'Draft', body: 'Body', published: false } });
    await api.post(`/posts/${published.id}/comments.json`, { json: { comment: { author: 'Ada', body: 'Hi' } } });

    const list = await api.get('/api/v1/posts');
    assert.equal(list.status, 200);
    assert.deepEqual(list.json().posts.map((p: { title: string }) => p.title), ['Published']);

    const show = await api.get(`/api/v1/posts/${published.id}`);
    assert.equal(show.status, 200);
    assert.equal(show.json().comments[0].author, 'Ada');
    const etag = String(show.headers.etag);
    assert.equal((await api.get(`/api/v1/posts/${published.id}`, { headers: { 'if-none-match': etag } })).status, 304);

    const draft = (await api.get('/posts.json')).json().find((p: { title: string }) => p.title === 'Draft');
    assert.equal((await api.get(`/api/v1/posts/${draft.id}`, { headers: { accept: 'application/json' } })).status, 404);
  });

  it('names the routes, and lists them with helpers', () => {
    assert.equal(app.paths.apiV1PostsPath(), '/api/v1/posts');
    assert.equal(app.paths.apiV1PostPath(3), '/api/v1/posts/3');
    assert.equal(app.paths.postCommentsPath(3), '/posts/3/comments');
    assert.equal(app.paths.postCommentPath(3, 4), '/posts/3/comments/4');
    assert.equal(app.paths.livePostsPath(), '/posts/live');
  });

  it('sets secure headers on pages', async () => {
    const res = await app.client().get('/posts');
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
  });
});

describe('sample app: error pages and server limits', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
  });
  after(() => app.close());

  it('renders the app\'s own 404 page for HTML, problem+json for JSON', async () => {
    const html = await app.client().get('/posts/987654');
    assert.equal(html.status, 404);
    assert.match(html.body, /We couldn't find that page/);
    const json = await app.client().get('/posts/987654.json');
    assert.equal(json.status, 404);
    assert.equal(json.json().status, 404);
  });

  it('sets the request, keep-alive and headers timeouts from config/server.toml', () => {
    const server = app.server.server;
    assert.equal(server.requestTimeout, 30_000);
    assert.equal(server.keepAliveTimeout, 72_000);
    assert.equal(server.headersTimeout, 20_000);
  });

  it('refuses a body over body_limit with 413', async () => {
    const res = await app.client().post('/posts.json', { json: { post: { title: 'Big', body: 'x'.repeat(1024 * 1024 + 10) } } });
    assert.equal(res.status, 413);
  });
});
