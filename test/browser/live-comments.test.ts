import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from 'stryke/testing';
import { REPO } from '../support/cli';
import { SAMPLE_APP, signedInClient } from '../support/sample-app';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`;
if (skip) console.log(`# skipping browser tests: ${skip}`);

describe('the sample app\'s live comments in two real browsers', { skip }, () => {
  let app: TestApp;
  let base: string;
  let browser: import('playwright-core').Browser;
  const shots = join(REPO, 'build', 'test-output');

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stryke-live-'));
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

  it('a comment created in one browser appears in the other, without a reload', async () => {
    const client = await signedInClient(app); // writing a post needs an author
    await client.get('/posts/new');
    const created = await client.post('/posts', { form: { post: { title: 'Live talk', body: 'Comments arrive by themselves.', published: 'true' } } });
    assert.equal(created.status, 303, created.body);
    const postPath = new URL(String(created.headers.location), base).pathname;

    // Two browsers (separate contexts: separate cookies), both reading the post.
    const reader = await (await browser.newContext()).newPage();
    const writer = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    for (const p of [reader, writer]) p.on('pageerror', (e) => errors.push(String(e)));
    await reader.goto(`${base}${postPath}`);
    await reader.waitForSelector('section.comments[data-live-ready="true"]', { timeout: 10_000 });
    let readerLoads = 0;
    reader.on('load', () => readerLoads++);
    await writer.goto(`${base}${postPath}`);
    await writer.waitForSelector('section.comments[data-live-ready="true"]', { timeout: 10_000 });
    // Presence: the reader sees that someone else is on the page.
    await reader.waitForFunction("/1 other reader/.test(document.querySelector('.live-status')?.textContent ?? '')", undefined, { timeout: 10_000 });

    await writer.fill('input[name="comment[author]"]', 'Grace');
    await writer.fill('textarea[name="comment[body]"]', 'Hello from the other browser <b>not bold</b>');
    await writer.click('button:has-text("Add comment")');

    await reader.waitForSelector('.comment.live', { timeout: 10_000 });
    const text = (await reader.textContent('.comment.live')) ?? '';
    assert.match(text, /Grace\s+just now/);
    assert.match(text, /Hello from the other browser <b>not bold<\/b>/, 'the body arrives as text, never as markup');
    assert.equal(await reader.locator('.comment.live b').count(), 0);
    assert.equal(await reader.textContent('.comment-heading'), 'Comments (1)');
    assert.equal(readerLoads, 0, 'the reader never reloaded');
    assert.equal(await reader.locator('.empty').count(), 0, 'the empty note went away');
    await reader.screenshot({ path: join(shots, 'sample-app-live-comments.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });
});
