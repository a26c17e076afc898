import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`;

describe('mailer previews in a real browser', { skip }, () => {
  let app: App;
  let base: string;
  let browser: import('playwright-core').Browser;
  before(async () => {
    app = await bootFixture('mail-app', 'development');
    base = await app.listen(0, '127.0.0.1');
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('lists the previews, shows a message with its HTML part framed and sandboxed, and its text part, without errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/stryke/mailers`);
    assert.equal(await page.textContent('h1'), 'Mailer previews');
    // The page's own styles applied (its CSP allows them): cards have a white background.
    assert.equal(await page.$eval('.card', (el) => (globalThis as any).getComputedStyle(el).backgroundColor), 'rgb(255, 255, 255)');

    await page.click('a[href="/stryke/mailers/user_mailer/welcome"]');
    assert.equal(new URL(page.url()).pathname, '/stryke/mailers/user_mailer/welcome');
    assert.match(await page.textContent('dl.headers') ?? '', /To\s*Ada <Lovelace> <ada@example\.com>/);
    const frame = page.frames().find((f) => f.url().endsWith('/stryke/mailers/user_mailer/welcome/html'));
    assert.ok(frame, 'the HTML part is in a frame');
    await frame.waitForSelector('h1');
    assert.equal(await frame.textContent('h1'), 'Welcome, Ada <Lovelace>!');
    assert.equal(await frame.getAttribute('a', 'href'), 'https://example.com/posts/7');

    await page.click('nav.tabs >> text=Text');
    assert.match(await page.textContent('pre.text') ?? '', /^Welcome, Ada <Lovelace> & friends!\nYour first post: https:\/\/example\.com\/posts\/7/);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
