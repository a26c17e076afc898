import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { generateKey, S3Service } from 'stryke/storage';
import type { TestApp } from 'stryke/testing';
import { bootStorageApp, png } from './support';

async function text(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('the s3 service, against an S3-compatible server (s3rver) started here', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-s3-'));
  let server: any;
  let endpoint: string;
  before(async () => {
    const S3rver = require('s3rver');
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'stryke-test' }] });
    const address = await server.run();
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const service = () => new S3Service('s3', { bucket: 'stryke-test', endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true });

  it('round trip: a small file, a multipart upload of several parts, ranges, exists, delete', async () => {
    const s3 = service();
    const small = generateKey();
    await s3.upload(small, Readable.from([Buffer.from('hello '), Buffer.from('s3')]));
    assert.equal((await text(await s3.download(small))).toString(), 'hello s3');
    assert.equal(await s3.exists(small), true);

    const big = generateKey();
    const data = png(11 * 1024 * 1024 + 123);
    const chunks = function* () {
      for (let i = 0; i < data.length; i += 64 * 1024) yield data.subarray(i, i + 64 * 1024);
    };
    await s3.upload(big, Readable.from(chunks()));
    const back = await text(await s3.download(big));
    assert.equal(back.length, data.length);
    assert.ok(back.equals(data));
    const range = await text(await s3.download(big, { start: 5 * 1024 * 1024 - 3, end: 5 * 1024 * 1024 + 2 }));
    assert.ok(range.equals(data.subarray(5 * 1024 * 1024 - 3, 5 * 1024 * 1024 + 3)));

    await s3.delete(big);
    assert.equal(await s3.exists(big), false);
    await s3.delete(big); // deleting again is no error
    await assert.rejects(s3.download('../../etc/passwd'), { code: 'STRYKE_E_STORAGE_BAD_KEY' });
  });

  it('through an app whose config/storage.toml chooses s3: upload a form, read it back by its signed URL', async () => {
    process.env.STRYKE_TEST_S3_ENDPOINT = endpoint;
    process.env.STRYKE_STORAGE__SERVICE = 's3';
    let app: TestApp | undefined;
    try {
      ({ app } = await bootStorageApp());
      const b = app.client();
      await b.get('/documents/new');
      const data = png(4000);
      const res = await b.post('/documents', { multipart: { fields: { document: { title: 'On S3' } }, files: [{ field: 'document[avatar]', filename: 's3.png', data }] } });
      assert.equal(res.status, 201, res.body);
      const avatar = res.json().avatar;
      assert.equal(avatar.service, 's3');
      assert.equal(await service().exists(avatar.key), true);
      const got = await app.client().get(avatar.url);
      assert.equal(got.status, 200);
      assert.ok(got.rawBody.equals(data));
      const part = await app.client().get(avatar.url, { headers: { range: 'bytes=10-19' } });
      assert.equal(part.status, 206);
      assert.ok(part.rawBody.equals(data.subarray(10, 20)));
    } finally {
      delete process.env.STRYKE_STORAGE__SERVICE;
      await app?.close();
    }
  });
});
