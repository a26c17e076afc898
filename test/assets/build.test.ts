import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { freePort, REPO, stryke, strykeBackground, waitForHttp, writeApp } from '../support/cli';
import { rawGet, TRAVERSALS } from './raw-http';

const CSS = `/* The app's stylesheet: long enough to be worth compressing. */
body { font-family: system-ui, sans-serif; color: #1d1f24; background: #fafafa; margin: 0; }
header { background: url("img/logo.svg") no-repeat left center; padding-left: 2rem; }
.card { border: 1px solid #ddd; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
.card h2 { font-size: 1.2rem; margin: 0 0 .5rem; }
`;

function app(): string {
  return writeApp({
    'config/server.toml': 'log_level = "warn"\n',
    'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
    'app/controllers/home_controller.ts': `
import { ActionController, Controller, Get } from 'stryke';

@Controller('/')
export class HomeController extends ActionController {
  @Get('/', { as: 'root' })
  index() {
    return this.render('home/index', { cards: Array.from({ length: 40 }, (_, i) => ({ title: 'Card ' + i })) });
  }
}
`,
    'app/views/layouts/application.hbs': '<!doctype html><html><head>{{stylesheetTag "app.css"}}</head><body>{{yield}}</body></html>\n',
    'app/views/home/index.hbs': '<h1>Home</h1>\n{{render "card" collection=cards}}\n',
    'app/views/home/_card.hbs': '<section class="card"><h2>{{card.title}}</h2><p>Something worth reading on every card.</p></section>\n',
    'public/app.css': CSS,
    'public/img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n',
    'public/robots.txt': 'User-agent: *\n',
  });
}

describe('stryke build, and stryke start from dist/ in production', () => {
  let root: string;
  let copy: string;
  let server: ReturnType<typeof strykeBackground> | undefined;
  let base: string;
  let port: number;
  let output = '';

  before(async () => {
    root = app();
    const built = stryke(['build', '--root', root]);
    assert.equal(built.status, 0, built.stderr + built.stdout);
    assert.match(built.stdout, /Built .*dist\/ in \d+ ms: 3 templates, 3 assets, 1 route\./);
    // The build alone, somewhere else: no TypeScript sources, no views, no tsconfig.
    copy = mkdtempSync(join(tmpdir(), 'stryke-dist-'));
    cpSync(join(root, 'dist'), copy, { recursive: true });
    mkdirSync(join(copy, 'node_modules'));
    symlinkSync(REPO, join(copy, 'node_modules', 'stryke'), 'dir');
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = strykeBackground(['start', '--root', copy, '--port', String(port), '--host', '127.0.0.1', '--workers', '1', '--env', 'production'], {
      env: { SECRET_KEY_BASE: 'x'.repeat(64) },
    });
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    await waitForHttp(`${base}/health`);
  });
  after(() => {
    server?.kill('SIGTERM');
  });

  it('writes dist/: JavaScript without sources, precompiled views, fingerprinted assets with variants, manifests', () => {
    const dist = join(root, 'dist');
    assert.ok(existsSync(join(dist, 'build', 'app', 'controllers', 'home_controller.js')));
    assert.ok(!existsSync(join(dist, 'build', 'app', 'controllers', 'home_controller.d.ts')));
    assert.ok(!existsSync(join(dist, 'app')), 'no view sources in dist/');
    assert.match(readFileSync(join(dist, 'build', 'stryke-views.js'), 'utf8'), /"home\/card"/);
    const manifest = JSON.parse(readFileSync(join(dist, 'assets-manifest.json'), 'utf8'));
    const css = manifest.files['app.css'];
    assert.match(css.path, /^app-[0-9a-f]{16}\.css$/);
    assert.deepEqual(css.encodings.sort(), ['br', 'gzip']);
    for (const f of [css.path, `${css.path}.br`, `${css.path}.gz`, 'app.css', 'robots.txt', manifest.files['img/logo.svg'].path]) {
      assert.ok(existsSync(join(dist, 'public', f)), f);
    }
    const routes = JSON.parse(readFileSync(join(dist, 'routes.json'), 'utf8'));
    assert.deepEqual(routes.map((r: any) => `${r.method} ${r.path} ${r.action}`), ['GET / HomeController#index']);
    assert.ok(existsSync(join(dist, 'stryke-build.json')));
    assert.ok(!readdirSync(copy).includes('tsconfig.json'));
  });

  it('boots from the copy alone and links the stylesheet through the manifest', async () => {
    assert.match(output, /from .*\/ *\)|production/);
    const page = await (await fetch(`${base}/`)).text();
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page)?.[1];
    assert.match(href ?? '', /^\/app-[0-9a-f]{16}\.css$/);
  });

  it('serves fingerprinted files immutable, precompressed by Accept-Encoding, with strong ETags and 304', async () => {
    const page = await (await fetch(`${base}/`)).text();
    const href = /href="(\/app-[0-9a-f]{16}\.css)"/.exec(page)![1]!;
    const res = await fetch(`${base}${href}`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.match(res.headers.get('vary')!, /Accept-Encoding/);
    const etag = res.headers.get('etag')!;
    assert.match(etag, /^"[0-9a-f]{16}-br"$/);
    // fetch would decode the body itself: read the raw bytes over node:http instead.
    const raw = await new Promise<{ enc?: string; body: Buffer }>((done) => {
      require('node:http').get(`${base}${href}`, { headers: { 'accept-encoding': 'br' } }, (r: any) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done({ enc: r.headers['content-encoding'], body: Buffer.concat(chunks) }));
      });
    });
    assert.equal(raw.enc, 'br');
    const css = brotliDecompressSync(raw.body).toString();
    assert.match(css, /url\("img\/logo-[0-9a-f]{16}\.svg"\)/, 'url() in CSS points at the fingerprinted file');
    const gz = await new Promise<{ enc?: string; body: Buffer }>((done) => {
      require('node:http').get(`${base}${href}`, { headers: { 'accept-encoding': 'gzip' } }, (r: any) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done({ enc: r.headers['content-encoding'], body: Buffer.concat(chunks) }));
      });
    });
    assert.equal(gz.enc, 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), css);
    const identity = await fetch(`${base}${href}`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(identity.headers.get('content-encoding'), null);
    assert.equal(Number(identity.headers.get('content-length')), Buffer.byteLength(css));
    const cached = await fetch(`${base}${href}`, { headers: { 'accept-encoding': 'br', 'if-none-match': etag } });
    assert.equal(cached.status, 304);
    const robots = await fetch(`${base}/robots.txt`);
    assert.equal(robots.status, 200);
    assert.equal(robots.headers.get('cache-control'), 'public, max-age=0, must-revalidate');
  });

  it('compresses the rendered page', async () => {
    const res = await fetch(`${base}/`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.match(await res.text(), /Card 39/);
  });

  for (const path of TRAVERSALS) {
    it(`refuses ${JSON.stringify(path)} in production`, async () => {
      const res = await rawGet(port, path);
      assert.ok([400, 403, 404].includes(res.status), `${path} answered ${res.status}`);
      assert.doesNotMatch(res.body, /"name": "stryke"|root:x:0|\[fonts\]/);
    });
  }
});
