import assert from 'node:assert/strict';
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
});
