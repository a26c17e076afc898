import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';

const ROBOTS = join(__dirname, '..', '..', '..', 'test', 'boot-fixtures', 'views-app', 'public', 'robots.txt');

describe('static files under public/: Range requests', () => {
  let app: App;
  before(async () => {
    app = await bootFixture('views-app');
  });
  after(() => app.close());
  const bytes = readFileSync(ROBOTS);
  const get = (headers: Record<string, string>) => app.server.inject({ method: 'GET', url: '/robots.txt', headers });

  it('advertises byte ranges and answers one with 206 and Content-Range', async () => {
    const whole = await get({});
    assert.equal(whole.statusCode, 200);
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    const part = await get({ range: 'bytes=2-5' });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 2-5/${bytes.length}`);
    assert.equal(part.headers['content-length'], '4');
    assert.deepEqual(part.rawPayload, bytes.subarray(2, 6));
    const open = await get({ range: `bytes=${bytes.length - 3}-` });
    assert.deepEqual(open.rawPayload, bytes.subarray(bytes.length - 3));
    const suffix = await get({ range: 'bytes=-2', 'accept-encoding': 'gzip, br' });
    assert.equal(suffix.statusCode, 206);
    assert.equal(suffix.headers['content-encoding'], undefined, 'a range is of the identity bytes');
    assert.deepEqual(suffix.rawPayload, bytes.subarray(bytes.length - 2));
  });

  it('answers 416 outside the file, and the whole file for several ranges or a stale If-Range', async () => {
    const outside = await get({ range: `bytes=${bytes.length}-` });
    assert.equal(outside.statusCode, 416);
    assert.equal(outside.headers['content-range'], `bytes */${bytes.length}`);
    assert.equal((await get({ range: 'bytes=0-1,4-5' })).statusCode, 200);
    assert.equal((await get({ range: 'bytes=0-1', 'if-range': '"not-this-one"' })).statusCode, 200);
    const etag = String((await get({})).headers.etag);
    assert.equal((await get({ range: 'bytes=0-1', 'if-range': etag })).statusCode, 206);
  });
});
