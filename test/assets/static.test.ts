import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createApp, type App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';
import { rawGet, TRAVERSALS } from './raw-http';

describe('public/ in development, and compression of dynamic responses', () => {
  let app: App;
  let port: number;
  before(async () => {
    app = await bootFixture('views-app');
    const address = await app.listen(0, '127.0.0.1');
    port = Number(new URL(address).port);
  });
  after(() => app?.close());

  it('serves a file as it is, with a strong ETag and 304 on If-None-Match', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/css/site.css`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/css/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const etag = res.headers.get('etag')!;
    assert.match(etag, /^"[0-9a-f]{16}"$/);
    assert.match(await res.text(), /font-family: system-ui/);
    const again = await fetch(`http://127.0.0.1:${port}/css/site.css`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const head = await fetch(`http://127.0.0.1:${port}/logo.svg`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'image/svg+xml');
  });

  it('answers the app 404 for a missing file, and never serves dotfiles', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/nope.css`, { headers: { accept: 'application/json' } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { status: number }).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${port}/.env`)).status, 404);
  });

  for (const path of TRAVERSALS) {
    it(`refuses ${JSON.stringify(path)} with 403 or 404`, async () => {
      const res = await rawGet(port, path);
      assert.ok(res.status === 403 || res.status === 404 || res.status === 400, `${path} answered ${res.status}`);
      assert.doesNotMatch(res.body, /"name": "stryke"|root:x:0|secret|\[fonts\]/);
    });
  }

  it('compresses a large dynamic response with the encoding the client prefers', async () => {
    const plain = await app.server.inject({ method: 'GET', url: '/pages/big' });
    assert.equal(plain.headers['content-encoding'], undefined);
    const br = await app.server.inject({ method: 'GET', url: '/pages/big', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers.vary), /Accept-Encoding/i);
    assert.equal(brotliDecompressSync(br.rawPayload).toString(), plain.body);
    assert.ok(br.rawPayload.length < plain.body.length / 4);
    const gz = await app.server.inject({ method: 'GET', url: '/pages/big', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.rawPayload).toString(), plain.body);
    const refused = await app.server.inject({ method: 'GET', url: '/pages/big', headers: { 'accept-encoding': 'br;q=0, gzip;q=0' } });
    assert.equal(refused.headers['content-encoding'], undefined);
  });

  it('leaves bodies under the threshold of config/server.toml alone (compression_threshold = 512)', async () => {
    const small = await app.server.inject({ method: 'GET', url: '/pages/big?n=4', headers: { 'accept-encoding': 'br' } });
    assert.ok(small.body.length < 512, `${small.body.length} bytes`);
    assert.equal(small.headers['content-encoding'], undefined);
    const medium = await app.server.inject({ method: 'GET', url: '/pages/big?n=9' });
    assert.ok(medium.body.length > 512 && medium.body.length < 1024, `${medium.body.length} bytes`);
    const compressed = await app.server.inject({ method: 'GET', url: '/pages/big?n=9', headers: { 'accept-encoding': 'br' } });
    assert.equal(compressed.headers['content-encoding'], 'br', 'above the configured 512 bytes (the default would be 1024)');
  });

  it('compresses every way a controller answers: a returned object, a stream, an error page; never HEAD or binary types', async () => {
    const rows = await app.server.inject({ method: 'GET', url: '/pages/rows', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(rows.headers['content-encoding'], 'gzip');
    assert.match(String(rows.headers['content-type']), /^application\/json/);
    assert.equal(JSON.parse(gunzipSync(rows.rawPayload).toString()).length, 100);
    const few = await app.server.inject({ method: 'GET', url: '/pages/rows?n=2', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(few.headers['content-encoding'], undefined);
    assert.equal(few.headers.vary, undefined, 'a body never compressed needs no Vary');
    assert.equal(few.json().length, 2);

    const lines = await fetch(`http://127.0.0.1:${port}/pages/lines`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(lines.headers.get('content-encoding'), 'br');
    const text = await lines.text(); // fetch decodes brotli
    assert.equal(text.split('\n').length, 501);
    assert.match(text, /^line 0\nline 1\n/);

    const boom = await app.server.inject({ method: 'GET', url: '/pages/explode', headers: { 'accept-encoding': 'br' } });
    assert.equal(boom.statusCode, 500);
    assert.equal(boom.headers['content-encoding'], 'br');
    assert.match(brotliDecompressSync(boom.rawPayload).toString(), /exploded x{600}/);

    const png = await app.server.inject({ method: 'GET', url: '/pages/png', headers: { 'accept-encoding': 'br' } });
    assert.equal(png.headers['content-encoding'], undefined);
    assert.equal(png.rawPayload.length, 4096);

    const head = await app.server.inject({ method: 'HEAD', url: '/pages/big', headers: { 'accept-encoding': 'br' } });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-encoding'], undefined);
  });
});

describe('compression under stryke dev', () => {
  it('puts the live-reload script into an HTML page before compressing it', async () => {
    process.env.STRYKE_LIVE_RELOAD = '1';
    const app = await bootFixture('views-app', 'development');
    try {
      const br = await app.server.inject({ method: 'GET', url: '/pages/big', headers: { 'accept-encoding': 'br' } });
      assert.equal(br.headers['content-encoding'], 'br');
      assert.match(brotliDecompressSync(br.rawPayload).toString(), /<script src="\/__stryke\/live.js" defer><\/script>/);
      const json = await app.server.inject({ method: 'GET', url: '/pages/rows', headers: { 'accept-encoding': 'gzip' } });
      assert.doesNotMatch(gunzipSync(json.rawPayload).toString(), /__stryke/);
    } finally {
      delete process.env.STRYKE_LIVE_RELOAD;
      await app.close();
    }
  });
});

describe('public/ and symbolic links', () => {
  it('refuses a link that leads outside public/, and serves one that stays inside', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stryke-links-'));
    mkdirSync(join(root, 'public', 'css'), { recursive: true });
    writeFileSync(join(root, 'secret.txt'), 'top secret');
    writeFileSync(join(root, 'public', 'css', 'a.css'), 'a {}');
    symlinkSync(join(root, 'secret.txt'), join(root, 'public', 'leak.txt'));
    symlinkSync(join(root, 'public', 'css'), join(root, 'public', 'styles'));
    const app = await createApp({ root, env: 'test', database: { adapter: 'sqlite', database: ':memory:' } });
    try {
      const leak = await app.server.inject({ method: 'GET', url: '/leak.txt' });
      assert.equal(leak.statusCode, 403);
      assert.doesNotMatch(leak.body, /top secret/);
      const inside = await app.server.inject({ method: 'GET', url: '/styles/a.css' });
      assert.equal(inside.statusCode, 200);
      assert.equal(inside.body, 'a {}');
    } finally {
      await app.close();
    }
  });
});
