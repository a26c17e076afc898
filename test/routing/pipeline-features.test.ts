import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';

describe('filters, middleware and parameters', () => {
  let app: App;
  before(async () => {
    app = await bootFixture('pipeline');
  });
  after(() => app.close());
  const json = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.server.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) });

  it('runs inherited before, around and after filters in order', async () => {
    const res = await app.server.inject({ url: '/reports' });
    assert.deepEqual(res.json().trail, ['loadUser', 'around:in', 'action', 'around:out', 'after']);
  });

  it('skips an inherited filter where a subclass says so', async () => {
    const res = await app.server.inject({ url: '/reports/open' });
    assert.deepEqual(res.json().trail, ['around:in', 'around:out'], 'no loadUser');
  });

  it('runs @Use middleware (a class built by the container) and halts when it responds', async () => {
    assert.equal((await app.server.inject({ url: '/reports/secret' })).statusCode, 401);
    const ok = await app.server.inject({ url: '/reports/secret', headers: { 'x-token': 'secret' } });
    assert.deepEqual(ok.json(), { secret: true });
  });

  it('types path parameters where declared, 400 when they do not parse', async () => {
    assert.deepEqual((await app.server.inject({ url: '/reports/typed/42' })).json(), { id: 42, type: 'number' });
    assert.equal((await app.server.inject({ url: '/reports/typed/abc' })).statusCode, 400);
    assert.deepEqual((await app.server.inject({ url: '/reports/typed/42.json' })).json(), { id: 42, type: 'number' }, 'a typed id with the .json suffix');
  });

  it('validates a body DTO: 422 with per-field errors, or the DTO in this.body', async () => {
    const bad = await json('/reports/widgets', { name: 'x', size: 0 });
    assert.equal(bad.statusCode, 422);
    assert.ok(bad.json().errors.name);
    assert.ok(bad.json().errors.size);
    const good = await json('/reports/widgets', { name: 'gear', size: 3, admin: true });
    assert.equal(good.statusCode, 201);
    assert.deepEqual(good.json(), { widget: { name: 'gear', size: 3 }, isDto: true });
  });

  it('refuses a body over the route limit with 413', async () => {
    const res = await json('/reports/tiny', { text: 'x'.repeat(100) });
    assert.equal(res.statusCode, 413);
  });

  it('drops unpermitted keys', async () => {
    const res = await json('/reports/strict', { item: { name: 'a', admin: true } });
    assert.deepEqual(res.json(), { permitted: { name: 'a' } });
  });
});

describe('responses: secure headers, caching, streaming', () => {
  let app: App;
  before(async () => {
    app = await bootFixture('pipeline');
  });
  after(() => app.close());

  it('sets nosniff on every response, and the document policies on HTML pages', async () => {
    const json = await app.server.inject({ url: '/reports/open' });
    assert.equal(json.headers['x-content-type-options'], 'nosniff');
    assert.equal(json.headers['content-security-policy'], undefined, 'CSP governs documents, not JSON');
    const page = await app.server.inject({ url: '/nowhere' });
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(page.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['referrer-policy'], 'strict-origin-when-cross-origin');
    assert.equal(page.headers['strict-transport-security'], undefined, 'HSTS only in production');
  });

  it('answers 304 when freshWhen finds the client current', async () => {
    const first = await app.server.inject({ url: '/media/cached/1000' });
    assert.equal(first.statusCode, 200);
    const etag = String(first.headers.etag);
    assert.ok(etag.startsWith('W/"'));
    const again = await app.server.inject({ url: '/media/cached/1000', headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    const changed = await app.server.inject({ url: '/media/cached/2000', headers: { 'if-none-match': etag } });
    assert.equal(changed.statusCode, 200);
  });

  it('gives a json answer that asks for one (etag: true) an ETag and answers 304 to If-None-Match', async () => {
    const first = await app.server.inject({ url: '/media/page' });
    assert.equal(first.headers['cache-control'], 'public, max-age=60');
    const etag = String(first.headers.etag);
    const again = await app.server.inject({ url: '/media/page', headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
  });

  it('streams an async generator or a Readable returned by an action', async () => {
    const res = await app.server.inject({ url: '/media/download?bytes=200000' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.rawPayload.length, 200000);
    assert.equal((await app.server.inject({ url: '/media/stream' })).body, 'abc');
  });

  it('reads a stream: true body as it arrives, unparsed, whatever its content type', async () => {
    const res = await app.server.inject({
      method: 'POST', url: '/media/upload', headers: { 'content-type': 'application/json' }, payload: Buffer.alloc(3 * 1024 * 1024, 97),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { bytes: 3 * 1024 * 1024, contentType: 'application/json' });
  });
});
