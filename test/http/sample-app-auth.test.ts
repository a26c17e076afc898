import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { safeReturnTo } from 'stryke';
import type { TestApp, TestClient } from 'stryke/testing';
import { countPosts } from '../support/count';
import { bootSampleApp, signedInApiClient, signedInClient, WRITER_PASSWORD } from '../support/sample-app';

/** @RequireAuth / @AllowAnonymous through every way a request reaches an action, and posts that belong to their author. */
describe('sample app: authentication and authors', () => {
  let app: TestApp;
  const logLines: string[] = [];
  before(async () => {
    const stream = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
    app = await bootSampleApp({ logger: { level: 'debug', stream } });
  });
  after(() => app.close());
  beforeEach(() => app.reset());

  /** A post by `writer`, through the JSON API; its id. */
  async function postBy(writer: TestClient, title = 'Mine alone'): Promise<number> {
    const res = await writer.post('/posts.json', { json: { post: { title, body: 'Only I may change this' } }, headers: { 'x-csrf-token': writer.csrfToken!, accept: 'application/json' } });
    assert.equal(res.status, 201, res.body);
    return res.json().id;
  }

  /** An anonymous client holding a CSRF token from a page (so only authentication can stop its forms). */
  async function anonymous(): Promise<TestClient> {
    const c = app.client();
    await c.get('/session/new');
    return c;
  }

  it('lets anyone read: index and show, by GET, HEAD and .json', async () => {
    const writer = await signedInClient(app);
    const id = await postBy(writer);
    const anon = app.client();
    assert.equal((await anon.get('/posts')).status, 200);
    assert.equal((await anon.get(`/posts/${id}`)).status, 200);
    assert.equal((await anon.get(`/posts/${id}.json`)).status, 200);
    assert.equal((await anon.request('HEAD', '/posts')).status, 200);
  });

  it('sends an anonymous HTML request to the sign-in page, and back to where it was going after signing in', async () => {
    await signedInClient(app); // the account exists
    const anon = app.client();
    const res = await anon.get('/posts/new?draft=1');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/session/new');
    const page = await anon.get('/session/new');
    assert.match(page.body, /Please sign in to continue/);
    const signedIn = await anon.post('/session', { form: { session: { email: 'writer@example.com', password: WRITER_PASSWORD } } });
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.headers.location, '/posts/new?draft=1');
    assert.equal((await anon.get('/posts/new')).status, 200);
  });

  it('answers HEAD like GET: a redirect, never the page', async () => {
    const res = await app.client().request('HEAD', '/posts/new');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/session/new');
    assert.equal(res.body, '');
  });

  it('answers JSON with 401 (problem+json, a stable code), by .json, by Accept and by a JSON body', async () => {
    const anon = app.client();
    for (const res of [
      await anon.post('/posts.json', { json: { post: { title: 'Nope', body: 'Nope' } } }),
      await anon.post('/posts', { json: { post: { title: 'Nope', body: 'Nope' } } }),
      await anon.get('/posts/new', { headers: { accept: 'application/json' } }),
    ]) {
      assert.equal(res.status, 401);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.equal(res.json().code, 'STRYKE_E_AUTH_REQUIRED');
    }
    assert.equal(await countPosts(app), 0);
  });

  it('guards every way to reach update and destroy: the verb, _method in a form, and .json', async () => {
    const writer = await signedInClient(app);
    const id = await postBy(writer);
    const anon = await anonymous();
    const tunnelled = await anon.post(`/posts/${id}`, { form: { _method: 'delete' } });
    assert.equal(tunnelled.status, 303);
    assert.equal(tunnelled.headers.location, '/session/new');
    const patched = await anon.post(`/posts/${id}`, { form: { _method: 'patch', post: { title: 'Hijacked' } } });
    assert.equal(patched.headers.location, '/session/new');
    assert.equal((await anon.delete(`/posts/${id}.json`, { headers: { 'x-csrf-token': anon.csrfToken! } })).status, 401);
    assert.equal((await anon.delete(`/posts/${id}`, { form: {} })).status, 303);
    assert.equal((await anon.patch(`/posts/${id}.json`, { json: { title: 'Hijacked' }, headers: { 'x-csrf-token': anon.csrfToken! } })).status, 401);
    const post = (await app.client().get(`/posts/${id}.json`)).json();
    assert.equal(post.title, 'Mine alone');
  });

  it('lets only the author edit or delete: others are sent back with an alert (HTML) or get 403 (JSON)', async () => {
    const author = await signedInClient(app, 'author@example.com');
    const id = await postBy(author);
    const other = await signedInApiClient(app, 'other@example.com');
    const edit = await other.get(`/posts/${id}/edit`);
    assert.equal(edit.status, 303);
    assert.equal(edit.headers.location, `/posts/${id}`);
    assert.match((await other.get(`/posts/${id}`)).body, /Only the author of this post can change or delete it/);
    const tunnelled = await other.post(`/posts/${id}`, { form: { _method: 'delete' } });
    assert.equal(tunnelled.status, 303);
    const json = await other.patch(`/posts/${id}.json`, { json: { title: 'Not yours' } });
    assert.equal(json.status, 403);
    assert.equal(json.json().code, 'STRYKE_E_AUTH_FORBIDDEN');
    assert.equal((await other.delete(`/posts/${id}.json`)).status, 403);
    assert.equal(await countPosts(app), 1);
    const shownToOther = await other.get(`/posts/${id}`);
    assert.doesNotMatch(shownToOther.body, /\/edit"/, 'no Edit link for someone else');

    const mine = await author.get(`/posts/${id}`);
    assert.match(mine.body, new RegExp(`href="/posts/${id}/edit"`));
    const deleted = await author.post(`/posts/${id}`, { form: { _method: 'delete' } });
    assert.equal(deleted.headers.location, '/posts');
    assert.equal(await countPosts(app), 0);
  });

  it('rotates the session at sign-in and ends it at sign-out: a replayed cookie signs no one in', async () => {
    await signedInClient(app);
    const anon = app.client();
    const first = await anon.get('/session/new');
    const before = String(first.headers['set-cookie']).split(';')[0]!;
    const signedIn = await anon.post('/session', { form: { session: { email: 'writer@example.com', password: WRITER_PASSWORD } } });
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!;
    assert.notEqual(cookie, before);
    const replay = (c: string) => app.server.inject({ method: 'GET', url: '/posts/new', headers: { cookie: c } });
    assert.equal((await replay(before)).statusCode, 303, 'the pre-sign-in cookie is not signed in');
    assert.equal((await replay(cookie)).statusCode, 200);
    await anon.get('/passwords/new');
    await anon.delete('/session', { form: {} });
    assert.equal((await replay(cookie)).statusCode, 303, 'the signed-out cookie no longer works');
  });

  it('keeps passwords and digests out of logs and error bodies', async () => {
    logLines.length = 0;
    const client = app.client();
    await client.get('/registration/new');
    const bad = await client.post('/registration', { json: { user: { email: 'leak@example.com', password: 'a secret password', passwordConfirmation: 'another secret' } }, headers: { 'x-csrf-token': client.csrfToken!, accept: 'application/json' } });
    assert.equal(bad.status, 422);
    const writer = await signedInClient(app, 'leak@example.com', 'a secret password');
    await writer.get('/posts/new');
    const rows = await app.db.select('SELECT "passwordDigest" AS d FROM users');
    const digest = String(rows[0]!.d);
    assert.match(digest, /^\$argon2id\$/);
    assert.ok(logLines.length > 0, 'the app logged');
    for (const text of [bad.body, ...logLines]) {
      assert.ok(!text.includes('a secret password'), text);
      assert.ok(!text.includes(digest), text);
    }
  });

  it('keeps return-to on this host', () => {
    for (const bad of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/a\r\nLocation: x', '', undefined, { path: '/' }]) {
      assert.equal(safeReturnTo(bad), undefined, String(bad));
    }
    assert.equal(safeReturnTo('/posts/1?x=2'), '/posts/1?x=2');
  });
});
