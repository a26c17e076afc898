import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from 'stryke/testing';
import { auditLogOf } from 'stryke/admin';
import { REPO } from '../support/cli';
import { bootSampleApp } from '../support/sample-app';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`;
const PASSWORD = 'a browser password';

describe('the admin in a real browser (sample app)', { skip }, () => {
  let app: TestApp;
  let base: string;
  let browser: import('playwright-core').Browser;
  let User: any;
  let Post: any;
  const shots = join(REPO, 'build', 'test-output');

  before(async () => {
    app = await bootSampleApp();
    await app.reset();
    // The app's own model classes (loaded by the boot): create records through them.
    User = require(join(REPO, 'sample-app', 'build', 'app', 'models', 'user')).User;
    Post = require(join(REPO, 'sample-app', 'build', 'app', 'models', 'post')).Post;
    const ada = await User.create({ email: 'ada@example.com', password: PASSWORD, admin: true });
    await User.create({ email: 'bob@example.com', password: PASSWORD });
    for (let i = 1; i <= 30; i++) await Post.create({ title: `Post number ${i}`, body: `Body ${i}`, published: i % 2 === 0, authorId: ada.id });
    base = await app.listen(0, '127.0.0.1');
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'] });
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  async function signIn(email: string) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/session/new`);
    await page.fill('#session_email', email);
    await page.fill('#session_password', PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForLoadState();
    return page;
  }

  it('signs in as an admin, lists, searches, edits with a validation error, fixes it and sees the audit entry', async () => {
    const page = await signIn('ada@example.com');
    await page.goto(`${base}/admin`);
    assert.match(await page.textContent('main') ?? '', /Comments[\s\S]*Posts[\s\S]*Users/);
    await page.screenshot({ path: join(shots, 'admin-dashboard.png'), fullPage: true });

    await page.click('nav.side >> text=Posts');
    assert.equal(new URL(page.url()).pathname, '/admin/posts');
    assert.equal(await page.locator('tbody tr').count(), 25, 'one page of 25');
    assert.match(await page.textContent('tbody tr:first-child') ?? '', /Post number 30/);
    await page.screenshot({ path: join(shots, 'admin-posts.png'), fullPage: true });
    await page.click('a[rel=next]');
    assert.equal(await page.locator('tbody tr').count(), 5, 'the keyset page after it');
    assert.match(page.url(), /after=6/);

    await page.goto(`${base}/admin/posts`);
    await page.fill('input[name=q]', 'number 7');
    await page.click('button:has-text("Apply")');
    assert.equal(await page.locator('tbody tr').count(), 1);
    await page.selectOption('select[name=f_published]', 'true');
    await page.fill('input[name=q]', '');
    await page.click('button:has-text("Apply")');
    assert.equal(await page.locator('tbody tr').count(), 15);

    await page.goto(`${base}/admin/posts`);
    await page.click('tbody tr:first-child >> text=Edit');
    assert.match(new URL(page.url()).pathname, /^\/admin\/posts\/30\/edit$/);
    await page.fill('#f-title', 'ab');
    await page.click('button:has-text("Save changes")');
    assert.match(await page.textContent('.errors') ?? '', /Title is too short/);
    assert.match(await page.textContent('.row.invalid') ?? '', /too short/);
    await page.screenshot({ path: join(shots, 'admin-edit-error.png'), fullPage: true });
    await page.fill('#f-title', 'A better title');
    await page.click('button:has-text("Save changes")');
    assert.equal(new URL(page.url()).pathname, '/admin/posts/30');
    assert.match(await page.textContent('.flash.notice') ?? '', /updated/);
    assert.match(await page.textContent('main') ?? '', /title[\s\S]*"Post number 30" → "A better title"/);
    await page.screenshot({ path: join(shots, 'admin-show.png'), fullPage: true });
    const [entry] = await auditLogOf(Post, 30);
    assert.equal(entry?.userLabel, 'ada@example.com');
    assert.deepEqual(entry?.changes, { title: ['Post number 30', 'A better title'] });

    // Bulk delete through the form (POST with its CSRF token).
    await page.goto(`${base}/admin/posts?q=number%201`);
    const boxes = page.locator('tbody input[type=checkbox]');
    const n = await boxes.count();
    assert.ok(n >= 2);
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.click('button:has-text("Delete selected")');
    await page.waitForLoadState();
    assert.match(await page.textContent('.flash.notice') ?? '', /Deleted 2 records/);
    assert.equal(await Post.count(), 28);
    await page.close();
  });

  it('uploads a cover from the edit form, shows it, replaces it and removes it', async () => {
    const page = await signIn('ada@example.com');
    const png = (tag: string) => Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.from(tag)]);
    await page.goto(`${base}/admin/posts/29/edit`);
    await page.setInputFiles('#f-cover', { name: 'first.png', mimeType: 'image/png', buffer: png('first') });
    await page.click('button:has-text("Save changes")');
    assert.equal(new URL(page.url()).pathname, '/admin/posts/29');
    assert.equal(await page.textContent('dl.fields .file span'), 'first.png');
    const src = await page.getAttribute('dl.fields .file img', 'src');
    const image = await page.request.get(`${base}${src}`);
    assert.equal(image.headers()['content-type'], 'image/png');

    await page.click('a:has-text("Edit")');
    assert.equal(await page.textContent('form.record .file span'), 'first.png');
    await page.setInputFiles('#f-cover', { name: 'second.png', mimeType: 'image/png', buffer: png('second') });
    await page.click('button:has-text("Save changes")');
    assert.equal(await page.textContent('dl.fields .file span'), 'second.png');
    assert.match(await page.textContent('main') ?? '', /cover[\s\S]*"first\.png" → "second\.png"/);

    await page.click('a:has-text("Edit")');
    await page.check('input[name="remove_attachments[]"][value=cover]');
    await page.click('button:has-text("Save changes")');
    assert.equal(await page.locator('dl.fields .file').count(), 0);
    assert.deepEqual((await auditLogOf(Post, 29))[0]?.changes, { cover: ['second.png', null] });
    await page.close();
  });

  it('answers 403 to a signed-in user who is not an admin', async () => {
    const page = await signIn('bob@example.com');
    const res = await page.goto(`${base}/admin/posts`);
    assert.equal(res?.status(), 403);
    await page.close();
  });
});
