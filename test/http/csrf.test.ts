import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from 'stryke/testing';
import { countPosts } from '../support/count';
import { bootSampleApp, jsonHeaders, signedInClient } from '../support/sample-app';

describe('CSRF: state-changing forms only from pages the app rendered', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
    await app.reset();
  });
  after(() => app.close());

  const post = { post: { title: 'Forged', body: 'Forged body' } };

  it('refuses a form POST without a token, even with no cookies at all', async () => {
    const res = await app.client().post('/posts', { form: post });
    assert.equal(res.status, 403);
    assert.match(res.body, /CSRF/);
    assert.equal(await countPosts(app), 0);
  });

  it('refuses a token from another session', async () => {
    const attacker = await signedInClient(app, 'attacker@example.com');
    await attacker.get('/posts/new');
    const victim = await signedInClient(app, 'victim@example.com');
    await victim.get('/posts');
    const res = await victim.post('/posts', { form: { ...post, authenticity_token: attacker.csrfToken } });
    assert.equal(res.status, 403);
    assert.equal(await countPosts(app), 0);
  });

  it('refuses a tampered token and a cross-site Origin', async () => {
    const browser = await signedInClient(app);
    await browser.get('/posts/new');
    const token = browser.csrfToken!;
    const tampered = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    assert.equal((await browser.post('/posts', { form: { ...post, authenticity_token: tampered } })).status, 403);
    // The same bytes in another text: the last character's spare bits set, or a character base64 skips.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1)!);
    const spareBits = token.slice(0, -1) + alphabet[last ^ 1];
    assert.deepEqual(Buffer.from(spareBits, 'base64url'), Buffer.from(token, 'base64url'), 'decodes to the same bytes');
    assert.equal((await browser.post('/posts', { form: { ...post, authenticity_token: spareBits } })).status, 403);
    assert.equal((await browser.post('/posts', { form: { ...post, authenticity_token: `${token.slice(0, 10)}.${token.slice(10)}` } })).status, 403);
    const cross = await browser.post('/posts', { form: post, headers: { origin: 'https://evil.example' } });
    assert.equal(cross.status, 403);
    const fetchSite = await browser.post('/posts', { form: post, headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(fetchSite.status, 403);
    assert.equal(await countPosts(app), 0);
  });

  it('accepts the token from the rendered form, and the X-CSRF-Token header', async () => {
    const browser = await signedInClient(app);
    await browser.get('/posts/new');
    assert.equal((await browser.post('/posts', { form: post })).status, 303);
    const page = await browser.get('/posts');
    const meta = /name="csrf-token" content="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(meta);
    const viaHeader = await browser.post('/posts', { json: { post: { title: 'Via header', body: 'Body' } }, headers: { 'x-csrf-token': meta, accept: 'application/json' } });
    assert.equal(viaHeader.status, 201);
  });

  it('lets JSON API clients without cookies through (to an action that needs no sign-in)', async () => {
    const [{ id }] = await app.db.select("INSERT INTO posts (title, body, published, \"createdAt\", \"updatedAt\") VALUES ('Open', 'Body', 1, '2026-01-01', '2026-01-01') RETURNING id");
    const res = await app.client().post(`/posts/${id}/comments.json`, { json: { comment: { author: 'Api', body: 'From a script' } } });
    assert.equal(res.status, 201);
  });

  it('ignores a tampered or foreign session cookie (empty session, never a 500)', async () => {
    const res = await app.server.inject({ method: 'GET', url: '/session/new', headers: { cookie: '_stryke_session=AAAAbogus' } });
    assert.equal(res.statusCode, 200);
    const signIn = await app.server.inject({ method: 'GET', url: '/posts/new', headers: { cookie: '_stryke_session=AAAAbogus' } });
    assert.equal(signIn.statusCode, 303, 'nobody is signed in by a cookie that does not decrypt');
    const forged = await app.server.inject({
      method: 'POST', url: '/posts', headers: { cookie: '_stryke_session=AAAAbogus', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'post[title]=x&post[body]=y&authenticity_token=abc',
    });
    assert.equal(forged.statusCode, 403);
  });

  it('never tunnels a method through GET', async () => {
    const writer = await signedInClient(app);
    const { id } = (await writer.post('/posts.json', { json: { title: 'Keep me', body: 'Body' }, headers: jsonHeaders(writer) })).json();
    const res = await writer.get(`/posts/${id}?_method=delete`);
    assert.equal(res.status, 200, 'a GET with _method is still a GET');
    assert.equal((await app.client().get(`/posts/${id}.json`)).status, 200, 'the post was not deleted');
  });

  it('sets the session cookie HttpOnly and SameSite=Lax', async () => {
    const res = await app.client().get('/session/new');
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /_stryke_session=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
  });
});
