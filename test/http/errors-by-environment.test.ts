import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';

describe('a throwing action', () => {
  let app: App;
  before(async () => {
    app = await bootFixture('pipeline', 'development');
  });
  after(() => app.close());

  it('answers 500 for that request only; the app keeps serving', async () => {
    const boom = await app.server.inject({ url: '/reports/boom' });
    assert.equal(boom.statusCode, 500);
    assert.match(boom.body, /secret internal detail/, 'development shows the error');
    assert.match(boom.body, /<pre>Error: secret internal detail\n\s+at /, 'with its stack');
    const next = await app.server.inject({ url: '/reports/open' });
    assert.equal(next.statusCode, 200);
  });
});

describe('production', () => {
  let app: App;
  const saved = process.env.SECRET_KEY_BASE;
  before(async () => {
    process.env.SECRET_KEY_BASE = 'p'.repeat(64);
    app = await bootFixture('pipeline', 'production');
  });
  after(async () => {
    await app.close();
    if (saved === undefined) delete process.env.SECRET_KEY_BASE;
    else process.env.SECRET_KEY_BASE = saved;
  });

  it('never shows a stack or the message of a 500, in HTML or JSON', async () => {
    const html = await app.server.inject({ url: '/reports/boom' });
    assert.equal(html.statusCode, 500);
    assert.doesNotMatch(html.body, /secret internal detail|<pre>|at .*\.js/);
    const json = await app.server.inject({ url: '/reports/boom', headers: { accept: 'application/json' } });
    assert.equal(json.statusCode, 500);
    assert.deepEqual(Object.keys(json.json()).sort(), ['detail', 'status', 'title', 'type']);
    assert.doesNotMatch(json.body, /secret internal detail/);
  });

  it('adds HSTS to responses over HTTPS (behind a TLS proxy) and marks the session cookie Secure', async () => {
    const res = await app.server.inject({ url: '/reports/session', headers: { 'x-forwarded-proto': 'https' } });
    assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/);
    assert.match(String(res.headers['set-cookie']), /; Secure/);
    const chained = await app.server.inject({ url: '/reports/session', headers: { 'x-forwarded-proto': 'http, https' } });
    assert.match(String(chained.headers['strict-transport-security']), /max-age=\d+/, 'the nearest proxy (last entry) saw HTTPS');
    const page = await app.server.inject({ url: '/nowhere', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(page.statusCode, 404);
    assert.match(String(page.headers['strict-transport-security']), /max-age=\d+/, 'error pages too');
  });

  it('never sends HSTS over plain HTTP (RFC 6797 section 7.2), but still nosniff', async () => {
    for (const headers of [{}, { 'x-forwarded-proto': 'http' }, { 'x-forwarded-proto': 'https, http' }]) {
      const res = await app.server.inject({ url: '/reports/session', headers });
      assert.equal(res.headers['strict-transport-security'], undefined, JSON.stringify(headers));
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
  });

  it('refuses to boot without a secret', async () => {
    delete process.env.SECRET_KEY_BASE;
    await assert.rejects(bootFixture('pipeline', 'production'), { code: 'STRYKE_E_CONFIG_MISSING_SECRET' });
    process.env.SECRET_KEY_BASE = 'p'.repeat(64);
  });
});

describe('unpermitted_parameters = "raise"', () => {
  let app: App;
  before(async () => {
    process.env.STRYKE_SERVER__UNPERMITTED_PARAMETERS = 'raise';
    app = await bootFixture('pipeline');
  });
  after(async () => {
    delete process.env.STRYKE_SERVER__UNPERMITTED_PARAMETERS;
    await app.close();
  });

  it('answers 400 naming the keys that were not permitted', async () => {
    const res = await app.server.inject({
      method: 'POST', url: '/reports/strict', headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: JSON.stringify({ item: { name: 'a', admin: true, role: 'x' } }),
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'STRYKE_E_HTTP_UNPERMITTED_PARAMETERS');
    assert.match(res.json().detail, /admin, role/);
    const ok = await app.server.inject({
      method: 'POST', url: '/reports/strict', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ item: { name: 'a' } }),
    });
    assert.equal(ok.statusCode, 200);
  });
});
