import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from 'stryke/testing';
import { REPO } from '../support/cli';
import { SAMPLE_APP } from '../support/sample-app';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`;
if (skip) console.log(`# skipping browser tests: ${skip}`);

describe('the sample app in a real browser', { skip }, () => {
  let app: TestApp;
  let base: string;
  let browser: import('playwright-core').Browser;
  const shots = join(REPO, 'build', 'test-output');

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stryke-browser-'));
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

  it('lists, creates, shows a validation error, edits and deletes a post', async () => {
    const page = await browser.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/posts`);
    assert.match(await page.textContent('main') ?? '', /No posts yet/);

    await page.click('text=New post');
    await page.fill('#post_title', 'ab');
    await page.click('button:has-text("Create post")');
    assert.match(await page.textContent('.error-messages') ?? '', /Title is too short/);
    await page.screenshot({ path: join(shots, 'sample-app-validation.png'), fullPage: true });

    await page.fill('#post_title', 'Written in a browser');
    await page.fill('#post_body', 'Typed into the form by Chromium.');
    await page.click('button:has-text("Create post")');
    assert.match(await page.textContent('.flash.notice') ?? '', /Post was successfully created/);
    assert.match(await page.textContent('h1') ?? '', /Written in a browser/);
    await page.screenshot({ path: join(shots, 'sample-app-show.png'), fullPage: true });

    await page.click('text=Edit');
    await page.fill('#post_title', 'Edited in a browser');
    await page.click('button:has-text("Update post")');
    assert.match(await page.textContent('.flash.notice') ?? '', /successfully updated/);

    await page.click('button:has-text("Delete")');
    await page.waitForURL(`${base}/posts`);
    assert.match(await page.textContent('.flash.notice') ?? '', /successfully deleted/);
    assert.doesNotMatch(await page.textContent('main') ?? '', /Edited in a browser/);
    await page.close();
  });
});
