import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { checkKey, contentDisposition, DiskService, generateKey, sniffContentType, storeStream, verifySignedToken } from 'stryke/storage';
import { png } from './support';

describe('storage keys: generated, never from a name, traversal-safe', () => {
  const root = mkdtempSync(join(tmpdir(), 'stryke-keys-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('are 28 random [a-z0-9] characters, all different', () => {
    const keys = new Set(Array.from({ length: 2000 }, generateKey));
    assert.equal(keys.size, 2000);
    for (const k of keys) assert.match(k, /^[a-z0-9]{28}$/);
  });

  it('refuses anything else before touching the disk: traversal, separators, NUL, encodings, other lengths', async () => {
    const disk = new DiskService('disk', root);
    const bad = ['../../etc/passwd', '..', 'a/b', 'a\\b', `${'a'.repeat(27)}/`, `${'a'.repeat(27)}\0`, '%2e%2e%2fetc', 'A'.repeat(28), 'a'.repeat(29), '', '/etc/passwd' + 'a'.repeat(17)];
    for (const key of bad) {
      assert.throws(() => disk.path(key), { code: 'STRYKE_E_STORAGE_BAD_KEY' }, JSON.stringify(key));
      await assert.rejects(disk.download(key), { code: 'STRYKE_E_STORAGE_BAD_KEY' });
      await assert.rejects(disk.delete(key), { code: 'STRYKE_E_STORAGE_BAD_KEY' });
      await assert.rejects(disk.upload(key, Readable.from(['x'])), { code: 'STRYKE_E_STORAGE_BAD_KEY' });
    }
    assert.throws(() => checkKey(42), { code: 'STRYKE_E_STORAGE_BAD_KEY' });
    const key = generateKey();
    assert.equal(disk.path(key), join(root, key.slice(0, 2), key.slice(2, 4), key));
  });

  it('a file whose name is a path lands under the root by its random key', async () => {
    const disk = new DiskService('disk', root);
    const upload = await storeStream(Readable.from([png(100)]), { filename: '../../../etc/cron.d/evil', service: disk, allowedTypes: new Set(['image/png']), maxSize: 1000 });
    assert.equal(upload.filename, 'evil');
    assert.equal(upload.contentType, 'image/png');
    assert.equal(upload.size, 100);
    const stored = readdirSync(root, { recursive: true }) as string[];
    assert.ok(stored.includes([upload.key.slice(0, 2), upload.key.slice(2, 4), upload.key].join(sep)));
    assert.ok(!stored.some((f) => f.includes('evil') || f.includes('etc')));
  });

  it('refuses an oversized or disallowed stream and leaves nothing behind', async () => {
    const disk = new DiskService('disk', mkdtempSync(join(tmpdir(), 'stryke-keys2-')));
    await assert.rejects(storeStream(Readable.from([png(2000)]), { filename: 'big.png', service: disk, allowedTypes: new Set(['image/png']), maxSize: 1000 }), { code: 'STRYKE_E_STORAGE_FILE_TOO_LARGE' });
    await assert.rejects(storeStream(Readable.from(['<html><script>x</script>']), { filename: 'a.png', service: disk, allowedTypes: new Set(['image/png']), maxSize: 1000 }), { code: 'STRYKE_E_STORAGE_TYPE_NOT_ALLOWED', status: 415 });
    assert.deepEqual((readdirSync(disk.root, { recursive: true, withFileTypes: true }) as any[]).filter((d) => d.isFile()), []);
  });
});

describe('the content sniffer', () => {
  const cases: [string, Buffer | string][] = [
    ['image/png', png(20)],
    ['image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46])],
    ['image/gif', 'GIF89a\x01\x00'],
    ['image/webp', Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')])],
    ['application/pdf', '%PDF-1.7\n'],
    ['application/zip', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2])],
    ['image/svg+xml', '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'],
    ['image/svg+xml', '  <svg onload="alert(1)">'],
    ['text/html', '\uFEFF<!DOCTYPE html><html>'],
    ['text/html', '<script>alert(1)</script>'],
    ['text/html', '<html>'],
    ['text/plain', 'just some words, café ünïcode'],
    ['text/plain', '<notatag but text'],
    ['application/octet-stream', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00])],
    ['application/x-empty', ''],
  ];
  for (const [type, bytes] of cases) {
    it(`${JSON.stringify(String(bytes).slice(0, 24))} is ${type}`, () => assert.equal(sniffContentType(Buffer.from(bytes as string)), type));
  }
  it('a multi-byte character cut by the window is still text', () => {
    const text = Buffer.from('é'.repeat(300));
    assert.equal(sniffContentType(text.subarray(0, 511)), 'text/plain');
  });
});

describe('signed tokens and Content-Disposition', () => {
  it('a token from another secret, a truncated one or garbage is invalid', () => {
    const key = Buffer.alloc(32, 1);
    for (const token of ['', 'abc', 'a.b', '.sig', 'x'.repeat(5000)]) assert.throws(() => verifySignedToken(token, key), { code: 'STRYKE_E_STORAGE_URL_INVALID' });
  });
  it('quotes and encodes names safely', () => {
    assert.equal(contentDisposition('inline', 'a "b".png'), `inline; filename="a _b_.png"; filename*=UTF-8''a%20%22b%22.png`);
    assert.equal(contentDisposition('attachment', 'résumé.pdf'), `attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`);
  });
});
