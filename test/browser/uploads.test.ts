import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from 'stryke/testing';
import { REPO } from '../support/cli';
import { SAMPLE_APP } from '../support/sample-app';
import { realPng } from '../storage/support';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`;
if (skip) console.log(`# skipping browser tests: ${skip}`);

describe('the sample app in a real browser: a post with a cover image', { skip }, () => {
  let app: TestApp;
  let base: string;
  let browser: import('playwright-core').Browser;
  const shots = join(REPO, 'build', 'test-output');

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stryke-browser-uploads-'));
    app = await createTestApp({ root: SAMPLE_APP, database: { adapter: 'sqlite', database: join(dir, 'test.sqlite3') } });
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

  it('uploads the cover through the form (multipart, CSRF token first) and shows it decoded on the post page', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    // Writing needs an account: sign up through the form, which signs in.
    await page.goto(`${base}/registration/new`);
    await page.fill('#user_email', 'cover@example.com');
    await page.fill('#user_password', 'a browser password');
    await page.fill('#user_passwordConfirmation', 'a browser password');
    await Promise.all([page.waitForURL(/\/posts$/), page.click('button:has-text("Create account")')]);
    await page.goto(`${base}/posts/new`);
    await page.fill('#post_title', 'A post with a cover');
    await page.fill('#post_body', 'The cover above was uploaded by a real browser.');
    await page.setInputFiles('#post_cover', { name: 'cover.png', mimeType: 'image/png', buffer: realPng(40, 20) });
    await Promise.all([page.waitForURL(/\/posts\/\d+$/), page.click('form[enctype="multipart/form-data"] button[type="submit"]')]);
    assert.match(await page.textContent('.flash, .notice, body') ?? '', /successfully created/);
    const img = page.locator('figure.cover img');
    await img.waitFor();
    const size = await img.evaluate(async (el: any) => {
      if (!el.complete) await new Promise((r) => el.addEventListener('load', r, { once: true }));
      return [el.naturalWidth, el.naturalHeight];
    });
    assert.deepEqual(size, [40, 20]);
    await page.screenshot({ path: join(shots, 'post-with-cover.png') });

    // Editing without choosing a new file keeps the cover.
    await page.click('text=Edit');
    await page.fill('#post_title', 'A post with a cover, edited');
    await Promise.all([page.waitForURL(/\/posts\/\d+$/), page.click('form[enctype="multipart/form-data"] button[type="submit"]')]);
    assert.equal(await page.locator('figure.cover img').count(), 1);
    await page.close();
  });
});
