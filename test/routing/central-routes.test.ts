import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';

describe('config/routes.ts: the central route DSL', () => {
  let app: App;
  before(async () => {
    app = await bootFixture('routing');
  });
  after(() => app.close());
  const get = (url: string, headers: Record<string, string> = {}) => app.server.inject({ url, headers });

  it('routes root, resources (only), member and collection routes', async () => {
    assert.equal((await get('/')).json().page, 'home');
    assert.deepEqual((await get('/articles')).json(), { action: 'index' });
    assert.deepEqual((await get('/articles/5')).json(), { action: 'show', id: '5' });
    assert.equal((await get('/articles/5/edit')).statusCode, 404, 'edit is not in only:');
    const publish = await app.server.inject({ method: 'POST', url: '/articles/5/publish', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.deepEqual(publish.json(), { action: 'publish', id: '5' });
    assert.deepEqual((await get('/articles/drafts')).json(), { action: 'drafts' });
  });

  it('nests resources under their parent, with shallow member routes', async () => {
    assert.deepEqual((await get('/articles/3/notes')).json(), { action: 'index', articleId: '3' });
    assert.deepEqual((await get('/notes/9')).json(), { action: 'show', id: '9', format: 'html' });
    assert.deepEqual((await get('/notes/9.json')).json(), { action: 'show', id: '9', format: 'json' }, 'the .json suffix of a path ending in a parameter');
    assert.deepEqual((await get('/notes/9.json/')).json(), { action: 'show', id: '9', format: 'json' });
    assert.deepEqual((await get('/notes/v1.2')).json(), { action: 'show', id: 'v1.2', format: 'html' }, 'other dots stay in the value');
    assert.equal((await get('/articles/3/notes/9')).statusCode, 404, 'shallow: no nested member route');
  });

  it('names every route, Rails style, with path and url helpers', async () => {
    const names = new Map(app.routes.map((r) => [`${r.method} ${r.path}`, r.name]));
    assert.equal(names.get('GET /articles'), 'articles');
    assert.equal(names.get('GET /articles/:id'), 'article');
    assert.equal(names.get('POST /articles/:id/publish'), 'publish_article');
    assert.equal(names.get('GET /articles/drafts'), 'drafts_articles');
    assert.equal(names.get('GET /articles/:articleId/notes'), 'article_notes');
    assert.equal(names.get('GET /notes/:id'), 'note');
    assert.equal(names.get('GET /api/v1/articles'), 'api_v1_articles');
    assert.equal(names.get('GET /api/v1/articles/:id'), 'api_v1_article');
    assert.equal(names.get('GET /help/faq'), 'help_faq');
    assert.equal(names.get('GET /'), 'root');
    assert.equal(app.paths.articleNotesPath(3), '/articles/3/notes');
    assert.equal(app.paths.publishArticlePath({ id: 4 }), '/articles/4/publish');
    assert.equal(app.paths.apiV1ArticlePath(2), '/api/v1/articles/2');
    assert.equal(app.paths.articlesPath({ page: 2 }), '/articles?page=2');
    assert.equal(app.paths.articleUrl(7), 'http://localhost:3000/articles/7');
    assert.deepEqual((await get('/')).json().paths, { articles: '/articles', article: '/articles/7', articleUrl: 'http://localhost:3000/articles/7' });
  });

  it('routes a namespace to the controllers in its folder', async () => {
    assert.deepEqual((await get('/api/v1/articles')).json(), { api: 'v1', action: 'index' });
    assert.deepEqual((await get('/api/v1/articles/1')).json(), { api: 'v1', action: 'show', id: '1' });
  });

  it('limits :format to the declared values; anything else is a 404', async () => {
    assert.deepEqual((await get('/feed.json')).json(), { format: 'json' });
    const atom = await get('/feed.atom');
    assert.equal(atom.statusCode, 200);
    assert.match(String(atom.headers['content-type']), /atom/);
    assert.equal((await get('/feed.rss')).body, '<rss/>');
    assert.equal((await get('/feed.xml')).statusCode, 404);
  });

  it('matches a host constraint only for that host', async () => {
    assert.equal((await get('/dashboard', { host: 'admin.example.com' })).statusCode, 200);
    assert.equal((await get('/dashboard', { host: 'www.example.com' })).statusCode, 404);
  });

  it('runs the global middleware of config/middleware.ts on every route', async () => {
    assert.equal((await get('/articles')).headers['x-global'], 'yes');
  });

  it('streams server-sent events and resumes after Last-Event-ID', async () => {
    const res = await get('/events');
    assert.match(String(res.headers['content-type']), /text\/event-stream/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', 'the secure headers set before the action go out with the stream');
    assert.match(res.body, /id: 1\nevent: tick\ndata: {"n":1}\n\n/);
    assert.match(res.body, /id: 3\n/);
    const resumed = await get('/events', { 'last-event-id': '3' });
    assert.match(resumed.body, /^id: 4\n/);
    assert.doesNotMatch(resumed.body, /id: 3\n/);
  });

  it('lists ws routes (served by their channel), and a plain GET of one answers 426', async () => {
    const ws = app.routes.find((r) => r.path === '/chat')!;
    assert.equal(ws.kind, 'ws');
    assert.equal(ws.controller.name, 'ChatChannel');
    const res = await get('/chat', { accept: 'application/json' });
    assert.equal(res.statusCode, 426);
    assert.equal(res.json().code, 'STRYKE_E_CHANNELS_UPGRADE_REQUIRED');
  });
});

describe('decorators: namespaces, nesting, member/collection, formats and hosts', () => {
  let app: App;
  before(async () => {
    app = await bootFixture('routing');
  });
  after(() => app.close());
  const inject = (url: string, method: 'GET' | 'POST' = 'GET', headers: Record<string, string> = {}) =>
    app.server.inject({ method, url, headers: method === 'POST' ? { 'content-type': 'application/json', ...headers } : headers, payload: method === 'POST' ? '{}' : undefined });

  it('nests a namespaced resource and names it', async () => {
    assert.deepEqual((await inject('/admin/albums/4/photos')).json(), { albumId: '4' });
    assert.deepEqual((await inject('/admin/albums/4/photos/9')).json(), { id: '9' });
    assert.equal(app.paths.adminAlbumPhotosPath(4), '/admin/albums/4/photos');
    assert.equal(app.paths.adminAlbumPhotoPath(4, 9), '/admin/albums/4/photos/9');
  });

  it('adds @Member and @Collection routes, named like Rails', async () => {
    assert.deepEqual((await inject('/admin/albums/4/photos/9/rotate', 'POST')).json(), { rotated: '9' });
    assert.deepEqual((await inject('/admin/albums/4/photos/recent')).json(), { recent: true });
    assert.equal(app.paths.rotateAdminAlbumPhotoPath(4, 9), '/admin/albums/4/photos/9/rotate');
    assert.equal(app.paths.recentAdminAlbumPhotosPath(4), '/admin/albums/4/photos/recent');
  });

  it('limits a decorated :format and runs class-level @Use middleware', async () => {
    const csv = await inject('/admin/albums/1/photos/export.csv');
    assert.deepEqual(csv.json(), { format: 'csv' });
    assert.equal(csv.headers['x-photos'], 'seen');
    // export.pdf is not an export format: the router does not send it to exportAll (it falls to show).
    assert.deepEqual((await inject('/admin/albums/1/photos/export.pdf')).json(), { id: 'export.pdf' });
  });

  it('honours a decorated host constraint', async () => {
    assert.equal((await inject('/ops/status', 'GET', { host: 'ops.example.com' })).statusCode, 200);
    assert.equal((await inject('/ops/status', 'GET', { host: 'example.com' })).statusCode, 404);
  });
});

describe('secure headers from config/server.toml', () => {
  let app: App;
  before(async () => {
    process.env.STRYKE_SERVER__HEADERS__FRAME_OPTIONS = 'DENY';
    process.env.STRYKE_SERVER__HEADERS__REFERRER_POLICY = 'false';
    app = await bootFixture('routing');
  });
  after(async () => {
    delete process.env.STRYKE_SERVER__HEADERS__FRAME_OPTIONS;
    delete process.env.STRYKE_SERVER__HEADERS__REFERRER_POLICY;
    await app.close();
  });

  it('changes or removes a header', async () => {
    const res = await app.server.inject({ url: '/no-such-page' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['referrer-policy'], undefined);
    assert.ok(res.headers['content-security-policy']);
  });
});
