import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stryke } from '../support/cli';
import { copySampleApp } from '../support/sample-app';

describe('stryke prof', () => {
  const root = copySampleApp();
  const dir = mkdtempSync(join(tmpdir(), 'stryke-prof-'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'production.sqlite3')}`, SECRET_KEY_BASE: 'p'.repeat(64), STRYKE_ENV: '' };

  it('profiles the sample app in production under a burst at /posts and writes a flame graph naming its controller action', () => {
    const migrate = stryke(['db', 'migrate', '--root', root, '-e', 'production', '--quiet'], { env });
    assert.equal(migrate.status, 0, migrate.stderr);
    const out = join(dir, 'posts.html');
    const run = stryke(['prof', '--root', root, '--path', '/posts', '--seconds', '20', '--requests', '1500', '--out', out], { env });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /Profiling GET \/posts \(production, one process\)/);
    assert.match(run.stdout, /\d+ requests in [\d.]+ s \(\d+\/s; \d+ × 200\)/);
    assert.match(run.stdout, /Flame graph: .*posts\.html/);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'self-contained: no script, nothing fetched');
    const svg = /<svg [^>]*class="flame"[\s\S]*?<\/svg>/.exec(html)?.[0];
    assert.ok(svg, 'an SVG flame graph');
    assert.equal((svg.match(/<g /g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length);
    assert.equal((svg.match(/<rect /g) ?? []).length, (svg.match(/<g /g) ?? []).length);
    // PostsController#index, compiled, with its file and line: a frame of the app (drawn in the app's colour).
    assert.match(svg, /<g class="f app"><title>index build\/app\/controllers\/posts_controller\.js:\d+/);
    const profile = JSON.parse(readFileSync(out.replace(/\.html$/, '.cpuprofile'), 'utf8'));
    assert.ok(Array.isArray(profile.nodes) && profile.nodes.length > 10);
  });

  it('refuses a path that is not on the app, in one line', () => {
    for (const path of ['posts', '//evil.example/x', 'http://example.com/']) {
      const res = stryke(['prof', '--root', root, '--path', path], { env });
      assert.equal(res.status, 1);
      assert.match(res.stderr, /--path must be a path on the app.*STRYKE_E_PROF_BAD_OPTION/);
    }
    const bad = stryke(['prof', '--root', root, '--seconds', '0'], { env });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--seconds must be a whole number from 1 to 300/);
    assert.equal(existsSync(join(root, 'tmp')) && require('node:fs').readdirSync(join(root, 'tmp')).some((f: string) => f.startsWith('profile-')), false);
  });
});
