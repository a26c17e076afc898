import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from 'stryke/testing';
import { REPO, stryke } from '../support/cli';
import { SAMPLE_APP, signedInApiClient } from '../support/sample-app';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`;
if (skip) console.log(`# skipping browser tests: ${skip}`);

describe('the sample app in a real browser, served from its build', { skip }, () => {
  let app: TestApp;
  let base: string;
  let browser: import('playwright-core').Browser;
  const shots = join(REPO, 'build', 'test-output');
  const assets: { url: string; status: number; cacheControl?: string; encoding?: string }[] = [];

  before(async () => {
    // `stryke build` into the app's tmp/ (so its code still finds node_modules/stryke), then boot that dist/.
    const dist = join(SAMPLE_APP, 'tmp', 'browser-dist');
    const built = stryke(['build', '--root', SAMPLE_APP, '--out', dist]);
    assert.equal(built.status, 0, built.stdout + built.stderr);
    const dir = mkdtempSync(join(tmpdir(), 'stryke-browser-'));
    const database = { adapter: 'sqlite' as const, database: join(dir, 'test.sqlite3') };
    // The migrator reads migration names from db/migrations/*.ts, which a build does not carry: migrate from the sources.
    await (await createTestApp({ root: SAMPLE_APP, database })).close();
    app = await createTestApp({ root: dist, database });
    await app.reset();
    base = await app.listen(0, '127.0.0.1');
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('follows links, creates a post through the form, shows errors and flashes, comments, edits and deletes', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.on('dialog', (d) => void d.accept());
    page.on('response', (r) => {
      if (/\.(css|svg)$/.test(new URL(r.url()).pathname)) {
        const h = r.headers();
        assets.push({ url: new URL(r.url()).pathname, status: r.status(), cacheControl: h['cache-control'], encoding: h['content-encoding'] });
      }
    });
    await page.goto(`${base}/`);
    assert.equal(new URL(page.url()).pathname, '/posts', 'the root redirects to the posts');
    assert.match(await page.textContent('main') ?? '', /No posts yet/);

    // The stylesheet came from a fingerprinted URL, cached forever, precompressed, and it applied.
    const href = await page.getAttribute('link[rel=stylesheet]', 'href');
    assert.match(href ?? '', /^\/app-[0-9a-f]{16}\.css$/);
    const css = assets.find((a) => a.url === href);
    assert.ok(css, `the browser fetched ${href}`);
    assert.equal(css.status, 200);
    assert.equal(css.cacheControl, 'public, max-age=31536000, immutable');
    assert.equal(css.encoding, 'br');
    assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(250, 250, 247)');
    await page.screenshot({ path: join(shots, 'sample-app-empty.png'), fullPage: true });

    // Writing needs an account: sign up through the form, which signs in.
    await page.click('text=Sign up to write the first one');
    assert.equal(new URL(page.url()).pathname, '/registration/new');
    await page.fill('#user_email', 'writer@example.com');
    await page.fill('#user_password', 'a browser password');
    await page.fill('#user_passwordConfirmation', 'a browser password');
    await page.screenshot({ path: join(shots, 'sample-app-sign-up.png'), fullPage: true });
    await page.click('button:has-text("Create account")');
    assert.equal(new URL(page.url()).pathname, '/posts');
    assert.match(await page.textContent('.flash.notice') ?? '', /Welcome! Your account is ready/);
    assert.match(await page.textContent('.auth-who') ?? '', /writer@example\.com/);

    // Sign out, and back in through the sign-in form.
    await page.click('button:has-text("Sign out")');
    assert.equal(new URL(page.url()).pathname, '/session/new');
    assert.match(await page.textContent('.flash.notice') ?? '', /Signed out/);
    await page.fill('#session_email', 'writer@example.com');
    await page.fill('#session_password', 'wrong password');
    await page.click('button:has-text("Sign in")');
    assert.match(await page.textContent('.auth-card .flash.alert') ?? '', /Invalid email or password/);
    await page.fill('#session_password', 'a browser password');
    await page.screenshot({ path: join(shots, 'sample-app-sign-in.png'), fullPage: true });
    await page.click('button:has-text("Sign in")');
    assert.match(await page.textContent('.flash.notice') ?? '', /Signed in/);

    // Follow a link to the form; submit it invalid.
    await page.click('text=Write the first one');
    assert.equal(new URL(page.url()).pathname, '/posts/new');
    assert.equal(await page.title(), 'New post · stryke blog');
    await page.fill('#post_title', 'ab');
    await page.click('button:has-text("Create Post")');
    assert.match(await page.textContent('.error-messages') ?? '', /2 errors prohibited/);
    assert.match(await page.textContent('.field-with-errors:has(#post_title) .field-error') ?? '', /Title is too short \(minimum is 3 characters\)/);
    assert.equal(await page.getAttribute('#post_title', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#post_title'), 'ab', 'the form keeps what was typed');
    await page.screenshot({ path: join(shots, 'sample-app-validation.png'), fullPage: true });

    await page.fill('#post_title', 'Written in a browser');
    await page.fill('#post_body', 'Typed into the form by Chromium.\n\nA second paragraph.');
    await page.check('#post_published');
    await page.click('button:has-text("Create Post")');
    assert.match(await page.textContent('.flash.notice') ?? '', /Post was successfully created/);
    assert.match(await page.textContent('article h1') ?? '', /Written in a browser/);
    assert.equal(await page.locator('.post-body p').count(), 2);
    assert.match(await page.textContent('.post .meta') ?? '', /Posted just now/);
    await page.screenshot({ path: join(shots, 'sample-app-show.png'), fullPage: true });

    // A comment (which enqueues a background job), then back to the list by its link: the flash shows once.
    await page.fill('input[name="comment[author]"]', 'Ada');
    await page.fill('textarea[name="comment[body]"]', 'First!');
    await page.click('button:has-text("Add comment")');
    assert.match(await page.textContent('.flash.notice') ?? '', /Comment added/);
    assert.match(await page.textContent('.comments h2') ?? '', /Comments \(1\)/);
    assert.match(await page.textContent('.comment') ?? '', /Ada\s+just now\s+First!/);
    await page.click('text=← Back to posts');
    assert.equal(new URL(page.url()).pathname, '/posts');
    assert.equal(await page.locator('.flash').count(), 0, 'a flash shows once');
    assert.match(await page.textContent('.page-head .meta') ?? '', /^1 post$/);
    await page.screenshot({ path: join(shots, 'sample-app-index.png'), fullPage: true });

    // Follow the post's link, edit it.
    await page.click('.post-card h2 a');
    assert.match(await page.textContent('article h1') ?? '', /Written in a browser/);
    await page.click('article >> text=Edit');
    await page.fill('#post_title', 'Edited in a browser');
    await page.click('button:has-text("Update Post")');
    assert.match(await page.textContent('.flash.notice') ?? '', /successfully updated/);

    await page.click('button:has-text("Delete")');
    await page.waitForURL(`${base}/posts`);
    assert.match(await page.textContent('.flash.notice') ?? '', /successfully deleted/);
    assert.doesNotMatch(await page.textContent('main') ?? '', /Edited in a browser/);
    await page.close();
  });

  it('pages a long list, wraps a long word instead of scrolling sideways, and keeps the navigation on a 404', async () => {
    await app.reset();
    const api = await signedInApiClient(app);
    const word = 'W'.repeat(400);
    for (let i = 1; i <= 21; i++) {
      const res = await api.post('/posts.json', { json: { post: { title: `Post number ${i}`, body: i === 21 ? `An unbroken ${word} in it.` : 'Body', published: true } } });
      assert.equal(res.status, 201);
    }
    const page = await browser.newPage({ viewport: { width: 420, height: 800 } });
    const sideways = () => page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');

    await page.goto(`${base}/posts`);
    assert.equal(await page.locator('.post-card').count(), 20);
    assert.match(await page.textContent('.page-head .meta') ?? '', /^21 posts$/);
    assert.match(await page.textContent('.pagination') ?? '', /Page 1 of 2/);
    assert.equal(await sideways(), false, 'the list does not scroll sideways');
    await page.click('.pagination >> text=Next');
    // The URL changes when the new page commits; its cards are there once it has loaded.
    await page.waitForURL(`${base}/posts?page=2`, { waitUntil: 'load' });
    assert.equal(await page.locator('.post-card').count(), 1);

    await page.goto(`${base}/posts`);
    await page.click('text=Post number 21');
    assert.match(await page.textContent('.post-body') ?? '', /WWWW/);
    assert.equal(await sideways(), false, 'a 400-letter word wraps');
    await page.screenshot({ path: join(shots, 'sample-app-long-word.png'), fullPage: true });

    const missing = await page.goto(`${base}/posts/999999`);
    assert.equal(missing?.status(), 404);
    assert.deepEqual(await page.locator('.site-header nav a').allTextContents(), ['All posts', 'New post']);
    await page.click('.site-header >> text=New post');
    // This page is signed out, and writing needs an account: the link works and lands on the sign-in page.
    assert.equal(new URL(page.url()).pathname, '/session/new');
    await page.close();
  });

  it('is an installable PWA: the manifest, a registered service worker, and the offline page without a network', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    const page = await context.newPage();
    await page.goto(`${base}/posts`);
    assert.equal(await page.getAttribute('link[rel=manifest]', 'href'), '/manifest.webmanifest');
    assert.equal(await page.evaluate('navigator.serviceWorker.ready.then((r) => r.scope)'), `${base}/`);
    const manifest = await (await page.request.get(`${base}/manifest.webmanifest`)).json();
    assert.equal(manifest.name, 'stryke blog');
    assert.equal(manifest.theme_color, '#1d2330');
    // Wait until the worker controls the page (it claims its clients once the precache is filled).
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    await context.setOffline(true);
    await page.goto(`${base}/posts/somewhere-not-cached`);
    assert.match(await page.textContent('h1') ?? '', /You are offline/);
    assert.match(await page.textContent('main') ?? '', /stryke blog cannot be reached/);
    await page.screenshot({ path: join(shots, 'sample-app-offline.png') });
    await context.close();
  });
});
