import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from 'stryke/testing';
import { REPO } from '../support/cli';
import { bootSampleApp, signedInClient } from '../support/sample-app';

/** The main navigation of a page. */
const nav = (html: string) => /<header class="site-header">[\s\S]*?<\/header>/.exec(html)?.[0] ?? '';

/** The sample app serves every part at once: the admin and the job dashboard for admins, the PWA for everyone. */
describe('the sample app, every part at once', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
    await app.reset();
  });
  after(() => app.close());

  it('links the admin and the job dashboard for admins only, and opens them to admins only', async () => {
    const User = require(join(REPO, 'sample-app', 'build', 'app', 'models', 'user')).User;
    const writer = await signedInClient(app, 'writer@example.com');
    assert.doesNotMatch(nav((await writer.get('/posts')).body), /href="\/admin"|href="\/stryke\/jobs"/);
    assert.equal((await writer.get('/stryke/jobs')).status, 403);
    assert.equal((await writer.get('/admin')).status, 403);
    const admin = await signedInClient(app, 'root@example.com');
    await User.where({ email: 'root@example.com' }).updateAll({ admin: true });
    const header = nav((await admin.get('/posts')).body);
    assert.match(header, /<a class="nav-link" href="\/admin">Admin<\/a><a class="nav-link" href="\/stryke\/jobs">Jobs<\/a>/);
    assert.equal((await admin.get('/stryke/jobs')).status, 200);
    assert.equal((await admin.get('/admin')).status, 200);
  });

  it('is a PWA: the layout tags, the manifest, the service worker and the offline page', async () => {
    const page = await app.client().get('/posts');
    assert.match(page.body, /<link rel="manifest" href="\/manifest\.webmanifest">/);
    assert.match(page.body, /<script src="\/pwa[^"]*\.js"><\/script>/);
    const manifest = await app.client().get('/manifest.webmanifest');
    assert.equal(manifest.status, 200);
    assert.equal(manifest.json().name, 'stryke blog');
    const worker = await app.client().get('/service-worker.js');
    assert.equal(worker.status, 200);
    assert.match(String(worker.headers['content-type']), /javascript/);
    assert.match(worker.body, /offline\.html/);
    const offline = await app.client().get('/offline.html');
    assert.equal(offline.status, 200);
    assert.match(offline.body, /You are offline/);
  });
});
