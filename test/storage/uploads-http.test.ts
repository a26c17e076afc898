import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { TestApp, TestClient } from 'stryke/testing';
import { bootStorageApp, filesUnder, png, STORAGE_APP } from './support';

const Document = () => require(join(STORAGE_APP, 'build', 'app', 'models', 'document.js')).Document;

describe('uploads over HTTP: multipart forms, limits, CSRF, signed URLs, Range', () => {
  let app: TestApp;
  let storageDir: string;
  before(async () => {
    ({ app, storageDir } = await bootStorageApp());
  });
  after(() => app.close());
  beforeEach(async () => {
    await app.reset();
    rmSync(storageDir, { recursive: true, force: true });
  });

  async function browser(): Promise<TestClient> {
    const b = app.client();
    const page = await b.get('/documents/new');
    assert.equal(page.status, 200);
    return b;
  }

  it('renders a multipart form: enctype set by the file field, the CSRF token first', async () => {
    const page = await app.client().get('/documents/new');
    assert.match(page.body, /<form method="post" action="\/documents" enctype="multipart\/form-data"/);
    assert.match(page.body, /<input type="file" id="document_avatar" name="document\[avatar\]" accept="image\/\*">/);
    assert.ok(page.body.indexOf('authenticity_token') < page.body.indexOf('type="file"'));
  });

  it('streams files to storage: nested fields reach params, permit keeps the uploads, the blob is served signed', async () => {
    const b = await browser();
    const avatar = png(5000);
    const res = await b.post('/documents', {
      multipart: { fields: { document: { title: 'With files', ignored: 'x' } }, files: [
        { field: 'document[avatar]', filename: 'me.png', contentType: 'image/png', data: avatar },
        { field: 'document[photos][]', filename: 'a.txt', contentType: 'text/plain', data: 'first photo text' },
        { field: 'document[photos][]', filename: 'b.pdf', contentType: 'application/pdf', data: '%PDF-1.4 fake' },
      ] },
    });
    assert.equal(res.status, 201, res.body);
    const doc = res.json();
    assert.equal(doc.title, 'With files');
    assert.equal(doc.avatar.filename, 'me.png');
    assert.equal(doc.avatar.contentType, 'image/png');
    assert.equal(doc.avatar.byteSize, 5000);
    assert.match(doc.avatar.key, /^[a-z0-9]{28}$/);
    assert.deepEqual(doc.photos.map((p: any) => [p.filename, p.contentType]), [['a.txt', 'text/plain'], ['b.pdf', 'application/pdf']]);
    assert.equal(filesUnder(storageDir).length, 3);

    const got = await app.client().get(doc.avatar.url);
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], 'image/png');
    assert.equal(got.headers['x-content-type-options'], 'nosniff');
    assert.match(String(got.headers['content-disposition']), /^inline; filename="me.png"; filename\*=UTF-8''me.png$/);
    assert.equal(got.headers['accept-ranges'], 'bytes');
    assert.equal(got.rawBody.length, 5000);

    const page = await app.client().get(`/documents/${doc.id}`);
    assert.match(page.body, /<img src="\/stryke\/blobs\/[^"]+\/me.png" alt="avatar">/);
    assert.match(page.body, /<img src="\/stryke\/blobs\/[^"]+" alt="Avatar" class="cover">/);
  });

  it('Range requests answer 206 with the bytes asked for, 416 outside the file', async () => {
    const b = await browser();
    const data = png(3000);
    const res = await b.post('/documents', { multipart: { fields: { document: { title: 'Ranged' } }, files: [{ field: 'document[avatar]', filename: 'r.png', data }] } });
    const url = res.json().avatar.url;
    const part = await app.client().get(url, { headers: { range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], 'bytes 100-199/3000');
    assert.equal(part.headers['content-length'], '100');
    assert.deepEqual(part.rawBody, data.subarray(100, 200));
    const suffix = await app.client().get(url, { headers: { range: 'bytes=-10' } });
    assert.equal(suffix.status, 206);
    assert.deepEqual(suffix.rawBody, data.subarray(2990));
    const outside = await app.client().get(url, { headers: { range: 'bytes=5000-6000', accept: 'application/json' } });
    assert.equal(outside.status, 416);
    assert.equal(outside.headers['content-range'], 'bytes */3000');
    assert.equal(outside.json().code, 'STRYKE_E_STORAGE_RANGE_NOT_SATISFIABLE');
    const stale = await app.client().get(url, { headers: { range: 'bytes=0-9', 'if-range': '"another"' } });
    assert.equal(stale.status, 200);
    const head = await app.server.inject({ method: 'HEAD', url });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], '3000');
    assert.equal(head.rawPayload.length, 0);
    const cached = await app.client().get(url, { headers: { 'if-none-match': String(head.headers.etag) } });
    assert.equal(cached.status, 304);
  });

  it('signed URLs: a tampered token answers 404, an expired one 410', async () => {
    const b = await browser();
    const res = await b.post('/documents', { multipart: { fields: { document: { title: 'Signed' } }, files: [{ field: 'document[avatar]', filename: 's.png', data: png() }] } });
    const url: string = res.json().avatar.url;
    const [, , , token, name] = url.split('/');
    const [payload, sig] = token!.split('.');
    const fields = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    fields[2] = 'text/html'; // try to get the bytes served as HTML
    const forged = `${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${sig}`;
    const r1 = await app.client().get(`/stryke/blobs/${forged}/${name}`, { headers: { accept: 'application/json' } });
    assert.equal(r1.status, 404);
    assert.equal(r1.json().code, 'STRYKE_E_STORAGE_URL_INVALID');
    const flipped = `${payload}.${sig!.slice(0, -1)}${sig!.endsWith('A') ? 'B' : 'A'}`;
    assert.equal((await app.client().get(`/stryke/blobs/${flipped}/${name}`)).status, 404);

    const { signedUrl } = require('stryke/storage');
    const doc = await Document().find(res.json().id);
    await doc.avatar.load();
    const expired = signedUrl(doc.avatar.blob, { expiresIn: 1 });
    const realNow = Date.now;
    Date.now = () => realNow() + 5_000;
    try {
      const r2 = await app.client().get(expired, { headers: { accept: 'application/json' } });
      assert.equal(r2.status, 410);
      assert.equal(r2.json().code, 'STRYKE_E_STORAGE_URL_EXPIRED');
    } finally {
      Date.now = realNow;
    }
  });

  it('never serves SVG or HTML inline, whatever the URL asks', async () => {
    const { signedUrl, verifySignedToken, storageRuntime } = require('stryke/storage');
    const key = storageRuntime('test').signingKey;
    for (const contentType of ['image/svg+xml', 'text/html', 'application/octet-stream']) {
      const url: string = signedUrl({ key: 'a'.repeat(28), service: 'local', contentType, byteSize: 1, filename: 'x' }, { disposition: 'inline' });
      assert.equal(verifySignedToken(url.split('/')[3]!, key).disposition, 'attachment', contentType);
    }
    const png = signedUrl({ key: 'a'.repeat(28), service: 'local', contentType: 'image/png', byteSize: 1, filename: 'x' });
    assert.equal(verifySignedToken(png.split('/')[3]!, key).disposition, 'inline');
  });

  it('refuses a disallowed type by its bytes, whatever it claims: 415, nothing stored', async () => {
    const b = await browser();
    for (const [data, name] of [['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'x.png'], ['<!DOCTYPE html><script>alert(1)</script>', 'y.png'], [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]), 'z.png']] as const) {
      const res = await b.post('/documents', { multipart: { fields: { document: { title: 'Bad' } }, files: [{ field: 'document[avatar]', filename: name, contentType: 'image/png', data }] }, headers: { accept: 'application/json' } });
      assert.equal(res.status, 415, res.body);
      assert.equal(res.json().code, 'STRYKE_E_STORAGE_TYPE_NOT_ALLOWED');
    }
    assert.equal(await Document().count(), 0);
    assert.deepEqual(filesUnder(storageDir), []);
  });

  it('limits answer 413 with a clear body (file size, file count, field count), nothing left stored', async () => {
    const b = await browser();
    const big = await b.post('/documents', { multipart: { fields: { document: { title: 'Big' } }, files: [{ field: 'document[avatar]', filename: 'big.png', data: png(65_537) }] } });
    assert.equal(big.status, 413);
    assert.match(big.body, /413 Payload Too Large/);
    assert.match(big.body, /larger than the limit of 65536 bytes/);
    assert.match(big.body, /STRYKE_E_STORAGE_FILE_TOO_LARGE/);
    const exact = await b.post('/documents', { multipart: { fields: { document: { title: 'Exact' } }, files: [{ field: 'document[avatar]', filename: 'ok.png', data: png(65_536) }] } });
    assert.equal(exact.status, 201);
    await app.reset();
    rmSync(storageDir, { recursive: true, force: true });

    const b2 = await browser();
    const files = [0, 1, 2, 3].map((i) => ({ field: 'document[photos][]', filename: `${i}.png`, data: png() }));
    const many = await b2.post('/documents', { multipart: { fields: { document: { title: 'Many' } }, files }, headers: { accept: 'application/json' } });
    assert.equal(many.status, 413);
    assert.equal(many.json().code, 'STRYKE_E_STORAGE_TOO_MANY_FILES');
    const fields: Record<string, string> = { title: 'Fields' };
    for (let i = 0; i < 20; i++) fields[`f${i}`] = 'x';
    const lots = await b2.post('/documents', { multipart: { fields: { document: fields } }, headers: { accept: 'application/json' } });
    assert.equal(lots.status, 413);
    assert.equal(lots.json().code, 'STRYKE_E_STORAGE_TOO_MANY_FIELDS');
    const long = await b2.post('/documents', { multipart: { fields: { document: { title: 'x'.repeat(5000) } } }, headers: { accept: 'application/json' } });
    assert.equal(long.status, 413);
    assert.equal(await Document().count(), 0);
    assert.deepEqual(filesUnder(storageDir), []);
  });

  it('CSRF: checked for multipart forms before any file is stored; a token after the files, or none, is refused', async () => {
    const none = await app.client().post('/documents', { multipart: { fields: { document: { title: 'Forged' } }, files: [{ field: 'document[avatar]', filename: 'f.png', data: png() }] } });
    assert.equal(none.status, 403);
    const b = await browser();
    const token = b.csrfToken!;
    const late = await b.post('/documents', { withoutCsrf: true, multipart: { fields: { document: { title: 'Late' } }, files: [{ field: 'document[avatar]', filename: 'f.png', data: png() }] }, headers: { accept: 'application/json' } });
    assert.equal(late.status, 403);
    assert.equal(late.json().code, 'STRYKE_E_STORAGE_TOKEN_AFTER_FILES');
    const noFiles = await b.post('/documents', { withoutCsrf: true, multipart: { fields: { document: { title: 'No token' } } } });
    assert.equal(noFiles.status, 403);
    const wrong = await b.post('/documents', { multipart: { fields: { authenticity_token: 'A'.repeat(86), document: { title: 'Wrong' } }, files: [{ field: 'document[avatar]', filename: 'f.png', data: png() }] } });
    assert.equal(wrong.status, 403);
    const cross = await b.post('/documents', { multipart: { fields: { document: { title: 'Cross' } } }, headers: { origin: 'https://evil.example' } });
    assert.equal(cross.status, 403);
    const get = await b.request('GET', '/documents/new', { multipart: { files: [{ field: 'document[avatar]', filename: 'g.png', data: png() }] } });
    assert.equal(get.status, 200, 'a GET never takes files');
    assert.deepEqual(filesUnder(storageDir), []);
    const badHeader = await b.post('/documents', { withoutCsrf: true, multipart: { fields: { document: { title: 'Bad header' } }, files: [{ field: 'document[avatar]', filename: 'h.png', data: png() }] }, headers: { 'x-csrf-token': 'A'.repeat(86) } });
    assert.equal(badHeader.status, 403);
    assert.deepEqual(filesUnder(storageDir), []);
    const viaHeader = await b.post('/documents', { withoutCsrf: true, multipart: { fields: { document: { title: 'Header' } }, files: [{ field: 'document[avatar]', filename: 'h.png', data: png() }] }, headers: { 'x-csrf-token': token } });
    assert.equal(viaHeader.status, 201);
    assert.equal(await Document().count(), 1);
  });

  it('an empty file input is no file; _method=patch replaces the file and purges the old one after commit', async () => {
    const b = await browser();
    const created = await b.post('/documents', { multipart: { fields: { document: { title: 'First' } }, files: [{ field: 'document[avatar]', filename: 'one.png', data: png(100) }] } });
    const doc = created.json();
    const empty = await b.post(`/documents/${doc.id}`, { multipart: { fields: { _method: 'patch', document: { title: 'Renamed' } }, files: [{ field: 'document[avatar]', filename: '', data: '' }] } });
    assert.equal(empty.status, 200, empty.body);
    assert.equal(empty.json().title, 'Renamed');
    assert.equal(empty.json().avatar.filename, 'one.png');
    const replaced = await b.post(`/documents/${doc.id}`, { multipart: { fields: { _method: 'patch', document: { title: 'Renamed' } }, files: [{ field: 'document[avatar]', filename: 'two.png', data: png(200) }] } });
    assert.equal(replaced.json().avatar.filename, 'two.png');
    assert.equal(filesUnder(storageDir).length, 1, 'the replaced file was purged');
    assert.equal((await app.client().get(doc.avatar.url)).status, 404, 'its URL serves nothing any more');
  });

  it('multipart is read on the routes that can have a body only: a POST no route matches answers 404 and stores nothing', async () => {
    // The multipart hooks are the body routes' own (framework/http/body-hooks.ts), not app-wide: the not-found
    // handler never reads the parts, so a file sent to a path without a route is never stored.
    const b = await browser();
    const res = await b.post('/no-such-path', { multipart: { fields: { title: 'x' }, files: [{ field: 'avatar', filename: 'x.png', data: png() }] }, headers: { accept: 'application/json' } });
    assert.equal(res.status, 404);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(filesUnder(storageDir), []);
    // GET routes still answer (they carry none of the multipart hooks), and a POST route still takes a file.
    assert.equal((await b.get('/documents/new')).status, 200);
    const created = await b.post('/documents', { multipart: { fields: { document: { title: 'Kept' } }, files: [{ field: 'document[avatar]', filename: 'k.png', data: png() }] } });
    assert.ok(created.status < 400, created.body);
    assert.equal(filesUnder(storageDir).length, 1);
  });

  it('a malformed multipart body answers 400 with a coded error', async () => {
    const b = await browser();
    const cut = await app.server.inject({
      method: 'POST', url: '/documents', headers: { 'content-type': 'multipart/form-data; boundary=xyz', 'x-csrf-token': b.csrfToken!, accept: 'application/json' },
      payload: '--xyz\r\nContent-Disposition: form-data; name="document[title]"\r\n\r\nunfinished',
    });
    assert.equal(cut.statusCode, 403, 'no session cookie: the token cannot verify');
    const noBoundary = await b.request('POST', '/documents', { headers: { 'content-type': 'multipart/form-data', 'x-csrf-token': b.csrfToken!, accept: 'application/json' } });
    assert.equal(noBoundary.status, 400);
    assert.equal(noBoundary.json().code, 'STRYKE_E_STORAGE_BAD_MULTIPART');
  });

  it('an upload no record took is deleted once the request is answered (an invalid record)', async () => {
    const b = await browser();
    const res = await b.post('/documents', { multipart: { fields: { document: { title: '' } }, files: [{ field: 'document[avatar]', filename: 'x.png', data: png() }] } });
    assert.equal(res.status, 422);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(filesUnder(storageDir), []);
  });

  it('file names are never paths: a traversal name is kept for display only, the key is random', async () => {
    const b = await browser();
    const res = await b.post('/documents', { multipart: { fields: { document: { title: 'Traversal' } }, files: [{ field: 'document[avatar]', filename: '../../../../etc/passwd.png', data: png() }] } });
    assert.equal(res.status, 201);
    const blob = res.json().avatar;
    assert.equal(blob.filename, 'passwd.png');
    const [file] = filesUnder(storageDir);
    assert.ok(file!.startsWith(storageDir + '/'));
    assert.ok(file!.endsWith(`/${blob.key.slice(0, 2)}/${blob.key.slice(2, 4)}/${blob.key}`));
  });
});
