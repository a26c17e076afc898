import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';

describe('redirectTo refuses other hosts', () => {
  let app: App;
  before(async () => {
    app = await bootFixture('pipeline');
  });
  after(() => app.close());
  const go = (to: string, path = 'go') =>
    app.server.inject({ url: `/redirects/${path}?to=${encodeURIComponent(to)}`, headers: { host: 'app.example', accept: 'application/json' } });

  it('follows paths and URLs of this app\'s own host', async () => {
    for (const to of ['/posts', '/posts?page=2#top', 'posts/1', 'http://app.example/posts', 'https://app.example/x', '/%2F%2Fevil.com']) {
      const res = await go(to);
      assert.equal(res.statusCode, 303, `${to}: ${res.body}`);
      assert.equal(res.headers.location, to);
    }
  });

  it('refuses other hosts however they are spelled, with a coded error', async () => {
    const tricks = [
      'https://evil.com', '//evil.com', '/\\evil.com', '\\\\evil.com', 'javascript:alert(1)', 'JavaScript:alert(1)',
      'http://app.example@evil.com/', 'https://evil.com\\@app.example', ' //evil.com', '\t//evil.com', '/\t/evil.com',
      'https:evil.com', 'http:/\\evil.com', 'data:text/html,<script>alert(1)</script>', '//evil.com/%2e%2e', 'http://user:pw@app.example/',
      'http://app.example.evil.com/', 'http://evil.com#app.example', '///evil.com', 'ftp://app.example/',
    ];
    for (const to of tricks) {
      const res = await go(to);
      assert.equal(res.statusCode, 500, `${JSON.stringify(to)} -> ${res.statusCode} ${res.headers.location ?? ''}`);
      assert.equal(res.json().code, 'STRYKE_E_HTTP_UNSAFE_REDIRECT', to);
      assert.equal(res.headers.location, undefined);
    }
  });

  it('goes to another host with allowOtherHost', async () => {
    const res = await go('https://partner.example/welcome', 'away');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, 'https://partner.example/welcome');
  });

  it('answers a location with CR/LF with the app\'s own error page, even with allowOtherHost', async () => {
    for (const path of ['go', 'away']) {
      const res = await app.server.inject({ url: `/redirects/${path}?to=${encodeURIComponent('/x\r\nSet-Cookie: a=b')}` });
      assert.equal(res.statusCode, 500);
      assert.equal(res.statusMessage, 'Internal Server Error');
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /<h1>500 Internal Server Error<\/h1>/);
      assert.equal(res.headers['set-cookie'], undefined);
      assert.equal(res.headers.location, undefined);
    }
  });
});
