import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../support/cli';
import { SAMPLE_APP } from '../support/sample-app';

/**
 * Boots the sample app in a fresh process in the environment argv[2] with the default logger (which writes to
 * stdout), answers a few requests, and exits: stdout is what a developer (or a log collector) sees.
 */
const script = `
const { createTestApp } = require(${JSON.stringify(join(REPO, 'build', 'framework', 'testing'))});
(async () => {
  const app = await createTestApp({ root: ${JSON.stringify(SAMPLE_APP)}, env: process.argv[2], database: { adapter: 'sqlite', database: process.argv[1] } });
  try {
    const { Post } = require(${JSON.stringify(join(SAMPLE_APP, 'build', 'app', 'models', 'post.js'))});
    const post = await Post.create({ title: 'Logged', body: 'Body' });
    await app.server.inject({ url: '/posts' });
    await app.server.inject({ url: '/posts/' + post.id + '.json' });
    await app.server.inject({ url: '/no-such-page?x=1' });
    await app.server.inject({ method: 'POST', url: '/posts/' + post.id, payload: '_method=delete', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  } finally {
    await app.close();
  }
})().catch((err) => { console.error(err); process.exit(1); });
`;

function run(env: string): string {
  const db = join(mkdtempSync(join(tmpdir(), 'stryke-log-')), 'log.sqlite3');
  const res = spawnSync(process.execPath, ['-e', script, db, env], { encoding: 'utf8', env: { ...process.env, STRYKE_ENV: env, SECRET_KEY_BASE: 'l'.repeat(64), STRYKE_SERVER__LOG_LEVEL: 'info' } });
  assert.equal(res.status, 0, res.stderr);
  return res.stdout;
}

describe('the request log', () => {
  it('in development: one readable line per request (method, path, controller#action, status, time, SQL count)', () => {
    const out = run('development');
    assert.doesNotMatch(out, /^\{/m, 'no JSON lines');
    assert.doesNotMatch(out, /incoming request|request completed/);
    assert.match(out, /^\d\d:\d\d:\d\d\.\d{3} GET \/posts -> PostsController#index 200 in \d+(\.\d)? ms \(2 SQL\)$/m);
    assert.match(out, /^\d\d:\d\d:\d\d\.\d{3} GET \/posts\/\d+\.json -> PostsController#show 200 in [\d.]+ ms \(\d+ SQL\)$/m);
    assert.match(out, /^\d\d:\d\d:\d\d\.\d{3} GET \/no-such-page 404 in [\d.]+ ms \(0 SQL\)$/m);
    // A form's _method=delete is logged as the action it reached (refused here: no CSRF token).
    assert.match(out, /^\d\d:\d\d:\d\d\.\d{3} POST \/posts\/\d+ -> PostsController#destroy 403 in [\d.]+ ms \(\d+ SQL\)$/m);
    assert.equal(out.match(/ -> |^\S+ GET \/no-such/gm)?.length, 4, out);
  });

  it('in production: one JSON object per request, with the same fields', () => {
    const out = run('production');
    const requests = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.msg === 'request');
    assert.deepEqual(requests.map((r) => [r.method, r.action ?? null, r.status]), [
      ['GET', 'PostsController#index', 200], ['GET', 'PostsController#show', 200], ['GET', null, 404], ['POST', 'PostsController#destroy', 403],
    ]);
    assert.equal(requests[2]!.path, '/no-such-page');
    assert.ok(requests.every((r) => typeof r.ms === 'number'));
    assert.doesNotMatch(out, /incoming request|request completed/);
  });
});
