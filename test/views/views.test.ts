import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApp, type App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';

async function get(app: App, url: string, headers: Record<string, string> = {}) {
  const res = await app.server.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, body: res.body, headers: res.headers };
}

/** An app made only of views (no code), for templates that must fail at boot. */
function viewsOnly(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'stryke-views-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

describe('views: layouts, partials, content blocks and helpers', () => {
  let app: App;
  before(async () => {
    app = await bootFixture('views-app');
  });
  after(() => app?.close());

  it('wraps a page in layouts/application with content blocks, and escapes {{ }}', async () => {
    const res = await get(app, '/pages');
    assert.equal(res.status, 200);
    assert.match(res.body, /data-layout="application"/);
    assert.match(res.body, /<head>.*<meta name="page" content="index"><\/head>/s);
    assert.match(res.body, /<aside><p>Side<\/p><\/aside>/);
    assert.match(res.body, /<div class="escaped">&lt;i&gt;raw&lt;\/i&gt;<\/div>/);
  });

  it('renders a partial collection with the item, @index, @first, a spacer, and an empty text', async () => {
    const { body } = await get(app, '/pages');
    const items = /<ul class="items">(.*?)<\/ul>/s.exec(body)![1]!;
    assert.match(items, /<li data-index="0" class="first">Alpha &lt;1&gt;<\/li>/);
    assert.match(items, /<li data-index="2">Gamma<\/li>/);
    assert.equal(items.match(/class="divider"/g)?.length, 2);
    assert.match(body, /<ul class="empty">Nothing here.<\/ul>/);
    assert.match(body, /<div class="single"><li data-index="">Beta<\/li>/);
    assert.match(body, /<div class="shared"><span class="badge">new<\/span>/, 'a bare partial name falls back to shared/');
  });

  it('picks layouts/<controller>, a per-action layout, or none', async () => {
    assert.match((await get(app, '/admin')).body, /data-layout="admin"/);
    assert.match((await get(app, '/pages/plain')).body, /data-layout="plain"/);
    const bare = await get(app, '/pages/bare');
    assert.equal(bare.body.trim(), '<p>plain page</p>');
  });

  it('a missing template or layout is a coded error naming the path tried', async () => {
    const res = await app.server.inject({ method: 'GET', url: '/pages/missing', headers: { accept: 'application/json' } });
    assert.equal(res.statusCode, 500);
    const problem = res.json();
    assert.equal(problem.code, 'STRYKE_E_VIEW_MISSING_TEMPLATE');
    assert.match(problem.detail, /app\/views\/pages\/nope\.hbs/);
    const layout = (await app.server.inject({ method: 'GET', url: '/pages/no-layout', headers: { accept: 'application/json' } })).json();
    assert.equal(layout.code, 'STRYKE_E_VIEW_MISSING_LAYOUT');
    assert.match(layout.detail, /app\/views\/layouts\/nope\.hbs/);
  });

  it('formFor: fields with values, labels, CSRF, and validation errors beside the field', async () => {
    const { body, status } = await get(app, '/pages/form');
    assert.equal(status, 200);
    assert.match(body, /<form method="post" action="\/articles" class="article-form" novalidate><input type="hidden" name="authenticity_token" value="[^"]+">/);
    assert.match(body, /<div class="error-messages" role="alert">.*Title is too short/s);
    assert.match(body, /<div class="field field-with-errors"><label for="article_title">Title<\/label><input type="text" id="article_title" name="article\[title\]" value="&lt;b&gt;Draft&lt;\/b&gt;" maxlength="200" aria-invalid="true" aria-describedby="article_title_error"><span class="field-error" id="article_title_error">Title is too short \(minimum is 3 characters\)<\/span><\/div>/);
    assert.match(body, /<textarea id="article_body" name="article\[body\]"[^>]*placeholder="Say it"[^>]*><\/textarea>/);
    assert.match(body, /<textarea [^>]*rows="4"/);
    assert.match(body, /<input type="hidden" name="article\[published\]" value="false"><input type="checkbox" id="article_published" name="article\[published\]" value="true" checked>/);
    assert.match(body, /<option value="">Pick one<\/option><option value="news" selected>news<\/option><option value="opinion">opinion<\/option>/);
    assert.match(body, /<button type="submit">Create Article<\/button>/);
    assert.match(body, /<h2>1 error prohibited this article from being saved:<\/h2>/);
  });

  it('a form partial rendered with submit="..." shows one button with that label, and the summary names the model', async () => {
    const { body, status } = await get(app, '/pages/partial-form');
    assert.equal(status, 200);
    assert.equal(body.match(/<button/g)?.length, 1, body);
    assert.match(body, /<div class="form-actions"><button type="submit">Update article<\/button><\/div>/);
    assert.match(body, /1 error prohibited this article from being saved:/);
  });

  it('formats dates, numbers, plurals and relative times', async () => {
    const { body } = await get(app, '/pages/formats');
    const text = (id: string) => new RegExp(`<p id="${id}">(.*?)</p>`).exec(body)![1];
    assert.match(text('ago')!, /^<time datetime="[^"]+Z" title="[^"]+ UTC">3 minutes ago<\/time>$/);
    assert.equal(text('date'), '2026-04-26 12:34');
    assert.equal(text('long'), 'April 26, 2026');
    assert.equal(text('number'), '1,234,567.89');
    assert.equal(text('currency'), '$1,234,567.89');
    assert.equal(text('percent'), '25.6%');
    assert.equal(text('bytes'), '121 KB');
    assert.equal(text('p0'), '0 comments');
    assert.equal(text('p1'), '1 comment');
    assert.equal(text('p5'), '5 people');
  });

  it('assetPath serves public/ as is in development, and a missing asset is a coded error', async () => {
    const { body } = await get(app, '/pages/assets');
    assert.match(body, /<p id="path">\/css\/site.css<\/p>/);
    assert.match(body, /<img src="\/logo.svg" alt="Logo">/);
    const bad = (await app.server.inject({ method: 'GET', url: '/pages/bad-asset', headers: { accept: 'application/json' } })).json();
    assert.equal(bad.code, 'STRYKE_E_ASSET_NOT_FOUND');
    assert.match(bad.detail, /public\/css\/nope\.css/);
  });
});

describe('views: errors at boot', () => {
  it('a missing partial fails boot naming the template, line and path tried', async () => {
    const root = viewsOnly({ 'app/views/posts/show.hbs': '<h1>Post</h1>\n{{> comment}}\n' });
    await assert.rejects(createApp({ root, env: 'test', database: { adapter: 'sqlite', database: ':memory:' } }), (err: any) => {
      assert.equal(err.code, 'STRYKE_E_VIEW_MISSING_PARTIAL');
      assert.match(err.message, /app\/views\/posts\/show\.hbs:2/);
      assert.match(err.message, /app\/views\/posts\/_comment\.hbs/);
      return true;
    });
  });

  it('a partial collection naming a missing partial fails boot too', async () => {
    const root = viewsOnly({ 'app/views/posts/index.hbs': '{{render "post" collection=posts}}\n' });
    await assert.rejects(createApp({ root, env: 'test', database: { adapter: 'sqlite', database: ':memory:' } }), /STRYKE_E_VIEW_MISSING_PARTIAL|_post\.hbs/);
  });

  it('a syntax error fails boot naming the file', async () => {
    const root = viewsOnly({ 'app/views/posts/index.hbs': '{{#if x}}\n<p>never closed\n' });
    await assert.rejects(createApp({ root, env: 'test', database: { adapter: 'sqlite', database: ':memory:' } }), (err: any) => {
      assert.equal(err.code, 'STRYKE_E_VIEW_COMPILE');
      assert.match(err.message, /app\/views\/posts\/index\.hbs/);
      return true;
    });
  });
});
