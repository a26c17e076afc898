import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { TestApp } from 'stryke/testing';
import { countPosts } from '../support/count';
import { bootSampleApp, signedInApiClient } from '../support/sample-app';

describe('sample app: JSON at the same URLs', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
  });
  after(() => app.close());
  beforeEach(() => app.reset());

  it('creates from a wrapped or a flat JSON body, and lists with .json or Accept', async () => {
    const api = await signedInApiClient(app);
    const wrapped = await api.post('/posts', { json: { post: { title: 'Wrapped', body: 'JSON body' } }, headers: { accept: 'application/json' } });
    assert.equal(wrapped.status, 201);
    assert.equal(wrapped.json().title, 'Wrapped');
    assert.equal(typeof wrapped.json().id, 'number');
    assert.equal(wrapped.json().published, false);

    const flat = await api.post('/posts', { json: { title: 'Flat', body: 'JSON body', published: true } });
    assert.equal(flat.status, 201);
    assert.equal(flat.json().published, true);

    const bySuffix = await api.get('/posts.json');
    assert.equal(bySuffix.status, 200);
    assert.match(String(bySuffix.headers['content-type']), /application\/json/);
    assert.deepEqual(bySuffix.json().map((p: { title: string }) => p.title).sort(), ['Flat', 'Wrapped']);

    const byAccept = await api.get('/posts', { headers: { accept: 'application/json' } });
    assert.equal(byAccept.json().length, 2);

    const one = await api.get(`/posts/${flat.json().id}.json`);
    assert.equal(one.json().title, 'Flat');
  });

  it('answers 422 with per-field errors, 404 as problem+json, and 400 for malformed JSON', async () => {
    const api = await signedInApiClient(app);
    const invalid = await api.post('/posts.json', { json: { post: { title: '' } } });
    assert.equal(invalid.status, 422);
    assert.deepEqual(invalid.json().errors.title, ["can't be blank", 'is too short (minimum is 3 characters)']);
    assert.equal(await countPosts(app), 0);

    const missing = await api.get('/posts/424242.json');
    assert.equal(missing.status, 404);
    assert.match(String(missing.headers['content-type']), /application\/problem\+json/);
    assert.equal(missing.json().code, 'STRYKE_E_ORM_RECORD_NOT_FOUND');

    const malformed = await app.server.inject({ method: 'POST', url: '/posts.json', headers: { 'content-type': 'application/json' }, payload: '{"post": ' });
    assert.equal(malformed.statusCode, 400);
    assert.equal(JSON.parse(malformed.body).status, 400);
    assert.equal(JSON.parse(malformed.body).code, 'STRYKE_E_HTTP_INVALID_JSON');
    assert.match(JSON.parse(malformed.body).detail, /not valid JSON \(.+\)/);

    // Valid JSON with a prototype key: refused, and the answer says that is why (not "not valid JSON").
    for (const payload of ['{"post": {"title": "Hello", "body": "x", "__proto__": {"admin": true}}}', '{"constructor": {"prototype": {"admin": true}}}']) {
      const poisoned = await app.server.inject({ method: 'POST', url: '/posts.json', headers: { 'content-type': 'application/json' }, payload });
      assert.equal(poisoned.statusCode, 400);
      assert.equal(JSON.parse(poisoned.body).code, 'STRYKE_E_HTTP_JSON_FORBIDDEN_KEY');
      assert.match(JSON.parse(poisoned.body).detail, /JSON body is valid, but has a "__proto__"/);
    }
    assert.equal(await countPosts(app), 0);

    // A JSON number or boolean for a text field is stored as its text, as on every database.
    const cast = await api.post('/posts.json', { json: { post: { title: 123456, body: true } } });
    assert.equal(cast.status, 201);
    assert.deepEqual([cast.json().title, cast.json().body], ['123456', 'true']);
    await app.reset(); // which ends the session too: sign in again

    const noParam = await (await signedInApiClient(app)).post('/posts.json', { json: {} });
    assert.equal(noParam.status, 400);
    assert.equal(noParam.json().code, 'STRYKE_E_HTTP_PARAMETER_MISSING');
  });

  it('updates and deletes with PATCH and DELETE', async () => {
    const api = await signedInApiClient(app);
    const { id } = (await api.post('/posts.json', { json: { title: 'Before', body: 'Body' } })).json();
    const patched = await api.patch(`/posts/${id}.json`, { json: { post: { title: 'After' } } });
    assert.equal(patched.status, 200);
    assert.equal(patched.json().title, 'After');
    const put = await api.put(`/posts/${id}.json`, { json: { title: 'Put' } });
    assert.equal(put.json().title, 'Put');
    const deleted = await api.delete(`/posts/${id}.json`);
    assert.equal(deleted.status, 204);
    assert.equal(await countPosts(app), 0);
  });

  it('drops unpermitted keys (strong parameters)', async () => {
    const api = await signedInApiClient(app);
    const res = await api.post('/posts.json', { json: { post: { title: 'Strong', body: 'Params', id: 999, createdAt: '2000-01-01' } } });
    assert.equal(res.status, 201);
    assert.notEqual(res.json().id, 999);
    assert.notEqual(res.json().createdAt.slice(0, 4), '2000');
  });
});
