import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { workerPlan } from 'stryke/pwa';
import { createTestApp, type TestApp } from 'stryke/testing';
import { REPO, stryke } from '../support/cli';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`;

describe('the service worker cache version', () => {
  it('follows the asset fingerprints of a build, and precaches the fingerprinted files', () => {
    const root = mkdtempSync(join(tmpdir(), 'stryke-pwa-plan-'));
    try {
      const manifest = (hash: string) => JSON.stringify({ version: 1, files: { 'app.css': { path: `app-${hash}.css`, hash, size: 1, encodings: [] } } });
      writeFileSync(join(root, 'assets-manifest.json'), manifest('aaaaaaaaaaaaaaaa'));
      const first = workerPlan(root);
      assert.ok(first.precache.includes('/app-aaaaaaaaaaaaaaaa.css'));
      assert.ok(first.precache.includes('/offline.html'));
      assert.equal(workerPlan(root).version, first.version, 'the same build, the same version');
      writeFileSync(join(root, 'assets-manifest.json'), manifest('bbbbbbbbbbbbbbbb'));
      assert.notEqual(workerPlan(root).version, first.version, 'a changed asset, a new version');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('stryke new --pwa in a real browser, served from its build', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-pwa-'));
  const shots = join(REPO, 'build', 'test-output');
  let app: TestApp | undefined;
  let browser: import('playwright-core').Browser;
  let base: string;

  before(async () => {
    const made = stryke(['new', 'pwa-app', '--pwa', '-q'], { cwd: dir });
    assert.equal(made.status, 0, made.stdout + made.stderr);
    const root = join(dir, 'pwa-app');
    const dist = join(root, 'tmp', 'dist');
    const built = stryke(['build', '--root', root, '--out', dist]);
    assert.equal(built.status, 0, built.stdout + built.stderr);
    app = await createTestApp({ root: dist, database: { adapter: 'sqlite', database: join(dir, 'test.sqlite3') } });
    base = await app.listen(0, '127.0.0.1');
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'] });
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers the service worker, and shows the offline page once the server is stopped', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    assert.equal(await page.getAttribute('link[rel=manifest]', 'href'), '/manifest.webmanifest');
    // Registered, installed (the precache filled) and active.
    const scope = await page.evaluate('navigator.serviceWorker.ready.then((r) => r.scope)');
    assert.equal(scope, `${base}/`);
    const cached = await page.evaluate(`(async () => {
      const keys = await caches.keys();
      const cache = await caches.open(keys[0]);
      return { keys, urls: (await cache.keys()).map((r) => new URL(r.url).pathname) };
    })()`) as { keys: string[]; urls: string[] };
    assert.equal(cached.keys.length, 1);
    assert.match(cached.keys[0]!, /^stryke-[0-9a-f]{16}$/);
    assert.ok(cached.urls.includes('/offline.html'));
    assert.ok(cached.urls.some((u) => /^\/app-[0-9a-f]{16}\.css$/.test(u)), `a fingerprinted stylesheet among ${cached.urls.join(', ')}`);
    const manifest = await (await page.request.get(`${base}/manifest.webmanifest`)).json();
    assert.equal(manifest.name, 'Pwa app');
    const icon = await page.request.get(`${base}/icon-512.png`);
    assert.equal(icon.headers()['content-type'], 'image/png');
    assert.deepEqual([...(await icon.body()).subarray(1, 4)], [0x50, 0x4e, 0x47]);

    await app!.close();
    app = undefined;
    await page.goto(`${base}/somewhere`);
    assert.match(await page.textContent('h1') ?? '', /You are offline/);
    await page.screenshot({ path: join(shots, 'pwa-offline.png') });
    await context.close();
  });
});
