import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';

/** Sends raw bytes on a fresh connection; resolves with everything the server wrote before closing. */
function raw(port: number, request: string, { end = true } = {}): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => {
      data += d;
      if (end && data.includes('\r\n\r\n') && /content-length: (\d+)/i.test(data)) {
        const length = Number(/content-length: (\d+)/i.exec(data)![1]);
        if (data.length - data.indexOf('\r\n\r\n') - 4 >= length) socket.end();
      }
    });
    socket.on('error', fail);
    socket.on('close', () => done(data));
  });
}

describe('production error bodies', () => {
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

  it('never carries a driver\'s internal code (SQLITE_ERROR) in JSON or HTML', async () => {
    const json = await app.server.inject({ url: '/redirects/sql', headers: { accept: 'application/json' } });
    assert.equal(json.statusCode, 500);
    assert.doesNotMatch(json.body, /SQLITE|no_such_table/);
    assert.equal(json.json().code, undefined);
    const html = await app.server.inject({ url: '/redirects/sql' });
    assert.equal(html.statusCode, 500);
    assert.doesNotMatch(html.body, /SQLITE|no_such_table|<pre>/);
  });

  it('answers a malformed URL (/reports/%) with the app\'s error page, not fastify\'s raw JSON', async () => {
    const html = await app.server.inject({ url: '/reports/%' });
    assert.equal(html.statusCode, 400);
    assert.match(String(html.headers['content-type']), /text\/html/);
    assert.match(html.body, /<h1>400 Bad Request<\/h1>/);
    assert.doesNotMatch(html.body, /FST_ERR/);
    const json = await app.server.inject({ url: '/reports/%', headers: { accept: 'application/json' } });
    assert.equal(json.statusCode, 400);
    assert.match(String(json.headers['content-type']), /application\/problem\+json/);
    assert.deepEqual(Object.keys(json.json()).sort(), ['detail', 'status', 'title', 'type']);
    assert.equal(json.headers['x-content-type-options'], 'nosniff');
  });

  it('answers fastify\'s body errors (bad JSON, too large, unsupported media type) through the error pages, without their codes', async () => {
    const cases: [number, Record<string, string>, string, string][] = [
      [400, { 'content-type': 'application/json' }, '{"item": ', '/reports/strict'],
      [413, { 'content-type': 'application/json' }, JSON.stringify({ text: 'x'.repeat(100) }), '/reports/tiny'],
      [415, { 'content-type': 'application/xml' }, '<a/>', '/reports/strict'],
    ];
    for (const [status, headers, payload, url] of cases) {
      const res = await app.server.inject({ method: 'POST', url, headers: { ...headers, accept: 'application/json' }, payload });
      assert.equal(res.statusCode, status, res.body);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.doesNotMatch(res.body, /FST_/);
      const page = await app.server.inject({ method: 'POST', url, headers: { ...headers, accept: 'text/html' }, payload });
      assert.equal(page.statusCode, status);
      assert.match(page.body, new RegExp(`<h1>${status} `));
    }
  });

  it('still tells clients stryke\'s own codes for their mistakes (4xx)', async () => {
    const res = await app.server.inject({ url: '/redirects/query?' + Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&'), headers: { accept: 'application/json' } });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().code, 'STRYKE_E_HTTP_TOO_MANY_PARAMETERS');
  });
});

describe('stack traces', () => {
  it('are not shown in test (only in development)', async () => {
    const app = await bootFixture('pipeline', 'test');
    try {
      const res = await app.server.inject({ url: '/reports/boom' });
      assert.equal(res.statusCode, 500);
      assert.doesNotMatch(res.body, /<pre>|at .*\.js/);
    } finally {
      await app.close();
    }
  });
});

describe('smaller holes', () => {
  let app: App;
  let port: number;
  before(async () => {
    process.env.STRYKE_SERVER__HEADERS_TIMEOUT = '1';
    app = await bootFixture('pipeline');
    delete process.env.STRYKE_SERVER__HEADERS_TIMEOUT;
    const address = await app.listen(0, '127.0.0.1');
    port = Number(new URL(address).port);
  });
  after(() => app.close());
  const json = (payload: unknown, headers: Record<string, string>) =>
    app.server.inject({ method: 'POST', url: '/reports/strict', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, payload: payload as string });

  it('refuses a request body in a Content-Encoding it does not decode with 415', async () => {
    const body = JSON.stringify({ item: { name: 'a' } });
    for (const encoding of ['gzip', 'br', 'deflate', 'x-made-up']) {
      const res = await json(encoding === 'gzip' ? (gzipSync(body) as unknown as string) : body, { 'content-encoding': encoding });
      assert.equal(res.statusCode, 415, encoding);
      assert.equal(res.json().code, 'STRYKE_E_HTTP_UNSUPPORTED_ENCODING');
    }
    assert.equal((await json(body, { 'content-encoding': 'identity' })).statusCode, 200);
    assert.equal((await json(body, {})).statusCode, 200);
  });

  it('answers a request node cannot parse with the built-in page, not fastify\'s raw JSON', async () => {
    const garbled = await raw(port, 'GET /reports/open HTTP/1.1\r\nHost: a.example\r\nBad Header\r\n\r\n');
    assert.match(garbled, /^HTTP\/1\.1 400 /);
    assert.match(garbled, /<h1>400 Bad Request<\/h1>/);
    assert.doesNotMatch(garbled, /Client Error|statusCode/);
    const huge = await raw(port, `GET /reports/open HTTP/1.1\r\nHost: a.example\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431 /);
  });

  it('refuses two Host headers with 400', async () => {
    const two = await raw(port, 'GET /reports/open HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n');
    assert.match(two, /^HTTP\/1\.1 400 /);
    assert.match(two, /STRYKE_E_HTTP_DUPLICATE_HOST|more than one Host/);
    const one = await raw(port, 'GET /reports/open HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n');
    assert.match(one, /^HTTP\/1\.1 200 /);
  });

  it('says why a form with more fields than the limit is refused (413), instead of dropping the rest and the CSRF token', async () => {
    const fields = Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&');
    const res = await app.server.inject({ method: 'POST', url: '/redirects/form', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, payload: `${fields}&authenticity_token=x` });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().code, 'STRYKE_E_HTTP_TOO_MANY_PARAMETERS');
    assert.match(res.json().detail, /CSRF token included/);
    const nested = Array.from({ length: 1001 }, (_, i) => `post[f${i}]=1`).join('&');
    const nestedRes = await app.server.inject({ method: 'POST', url: '/redirects/form', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, payload: nested });
    assert.equal(nestedRes.statusCode, 413);
    const list = Array.from({ length: 101 }, () => 'tags[]=1').join('&');
    assert.equal((await app.server.inject({ url: `/redirects/query?${list}`, headers: { accept: 'application/json' } })).statusCode, 413);
    const fine = await app.server.inject({ url: `/redirects/query?${Array.from({ length: 1000 }, (_, i) => `f${i}=1`).join('&')}` });
    assert.deepEqual(fine.json(), { fields: 1000 });
  });

  it('cuts off a client that trickles its headers once headers_timeout passes (checked every second, not every 30)', async () => {
    const started = Date.now();
    const answer = await raw(port, 'GET /reports/open HTTP/1.1\r\nHost: a.example\r\nX-Slow: ', { end: false });
    assert.match(answer, /^HTTP\/1\.1 408 /);
    // headers_timeout is 1 s here; node's default check interval (30 s) would take up to 31 s.
    assert.ok(Date.now() - started < 15_000, `cut off after ${Date.now() - started} ms`);
    const idle = await raw(port, '', { end: false });
    assert.match(idle, /^HTTP\/1\.1 408 /, 'a connection that sends nothing is closed too');
  });
});
