import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from 'stryke/testing';
import { bootSampleApp } from '../support/sample-app';

interface OpenStream {
  status: number;
  comments: () => number;
  close: () => void;
}

function openStream(port: number): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/posts/live', headers: { accept: 'text/event-stream' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('error', () => {});
      resolve({ status: res.statusCode!, comments: () => (text.match(/^: waiting$/gm) ?? []).length, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('server-sent events: capped per worker, one shared poll', () => {
  let app: TestApp;
  let port: number;
  const polls: string[] = [];
  before(async () => {
    process.env.STRYKE_SERVER__SSE_MAX_STREAMS = '3';
    app = await bootSampleApp();
    delete process.env.STRYKE_SERVER__SSE_MAX_STREAMS;
    await app.reset();
    const execute = app.db.execute.bind(app.db);
    app.db.execute = (sql, binds, arrays) => {
      if (/FROM\s+"?posts"?/i.test(sql) && /id"? > \?|id > \?|id"? > \$1/i.test(sql)) polls.push(sql);
      return execute(sql, binds, arrays);
    };
    port = Number(new URL(await app.listen(0, '127.0.0.1')).port);
  });
  after(() => app.close());

  it('refuses a stream over sse_max_streams with 503 and Retry-After, and takes one again once a stream closes', async () => {
    const streams = await Promise.all([openStream(port), openStream(port), openStream(port)]);
    assert.deepEqual(streams.map((s) => s.status), [200, 200, 200]);
    try {
      const over = await fetch(`http://127.0.0.1:${port}/posts/live`, { headers: { accept: 'application/json' } });
      assert.equal(over.status, 503);
      assert.equal(over.headers.get('retry-after'), '5');
      assert.equal(((await over.json()) as { code: string }).code, 'STRYKE_E_HTTP_SSE_BUSY');

      // Three streams open: one poll a second serves them all (per-stream polling would run three).
      polls.length = 0;
      const before = streams.map((s) => s.comments());
      await until(() => streams.every((s, i) => s.comments() - before[i]! >= 4));
      const ticks = Math.max(...streams.map((s, i) => s.comments() - before[i]!));
      assert.ok(polls.length <= ticks + 1, `${polls.length} poll queries for ${ticks} polls delivered to 3 streams`);
    } finally {
      for (const s of streams) s.close();
    }
    let again: OpenStream | undefined;
    for (let i = 0; i < 100 && (!again || again.status !== 200); i++) {
      again?.close();
      again = await openStream(port);
      if (again.status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(again!.status, 200, 'a closed stream frees its place');
    again!.close();
  });
});
