import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from 'stryke/testing';
import { bootSampleApp, signedInClient } from '../support/sample-app';

describe('page ETags: over what the page shows, not its per-request CSRF token', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
  });
  after(() => app.close());

  it('gives an unchanged page with a masked CSRF token the same ETag, and answers 304 with it', async () => {
    const browser = await signedInClient(app);
    const first = await browser.get('/posts/new');
    const second = await browser.get('/posts/new');
    assert.equal(first.status, 200);
    assert.ok(first.body.length >= 512, 'a page long enough to be tagged by SHA-1 rather than the short-body hash');
    const token = (body: string) => /name="csrf-token" content="([^"]+)"/.exec(body)?.[1];
    assert.ok(token(first.body));
    assert.notEqual(token(first.body), token(second.body), 'the masked token differs per render');
    const etag = String(first.headers.etag);
    assert.ok(etag.startsWith('W/"'));
    assert.equal(second.headers.etag, etag);
    const cached = await browser.get('/posts/new', { headers: { 'if-none-match': etag } });
    assert.equal(cached.status, 304);
    assert.equal(cached.body, '');
  });

  it('gives another session (another CSRF secret) another ETag, so its tokens are never reused', async () => {
    const a = await (await signedInClient(app)).get('/posts/new');
    const b = await (await signedInClient(app)).get('/posts/new');
    assert.notEqual(a.headers.etag, b.headers.etag);
  });

  it('sends a long page with multi-byte text as its UTF-8: length, ETag (SHA-1 of those bytes), HEAD, 304 and compression agree', async () => {
    const browser = await signedInClient(app);
    await browser.get('/posts/new');
    const title = 'Ünïcödé — 日本語 ✓ café';
    const created = await browser.post('/posts', { form: { post: { title, body: 'Ça va? 🚀 '.repeat(40), published: 'true' } } });
    const url = String(created.headers.location);
    await browser.get(url); // shows (and so clears) the flash, which would change the page once
    // No Accept-Encoding: the page as it is.
    const page = await browser.get(url, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(title));
    assert.equal(String(page.headers['content-type']), 'text/html; charset=utf-8');
    assert.equal(Number(page.headers['content-length']), page.rawBody.length);
    assert.ok(page.rawBody.length > page.body.length, 'more bytes than characters');
    assert.equal(page.rawBody.toString('utf8'), page.body);
    const head = await browser.request('HEAD', url, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(head.status, 200);
    assert.equal(head.rawBody.length, 0);
    assert.equal(head.headers['content-length'], page.headers['content-length']);
    assert.equal(head.headers['content-type'], page.headers['content-type']);
    // Compressed by Accept-Encoding (the page is over the 1,024-byte threshold): the same bytes once decoded, the same tag.
    const br = await browser.get(url, { headers: { 'accept-encoding': 'br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.ok(brotliDecompressSync(br.rawBody).toString('utf8').includes(title));
    assert.equal(br.headers.etag, page.headers.etag);
    const gz = await browser.get(url, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(Number(gz.headers['content-length']), gz.rawBody.length);
    assert.ok(gunzipSync(gz.rawBody).toString('utf8').includes(title));
    assert.equal(gz.headers.etag, page.headers.etag);
    assert.equal((await browser.get(url, { headers: { 'if-none-match': String(page.headers.etag) } })).status, 304);
  });

});
