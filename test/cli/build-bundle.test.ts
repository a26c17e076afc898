import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { seaUnsupported } from '../../framework/server/single';
import { COMMAND_TIMEOUT, stryke, withServer } from '../support/cli';
import { notesApp } from '../support/notes-app';

/** `stryke build`'s bundle (dist/server.js, which `stryke start`'s workers run) and `stryke build --single`. */

const app = () => notesApp({ 'package.json': JSON.stringify({ name: 'notes', private: true }) });

const production = { STRYKE_ENV: 'production', SECRET_KEY_BASE: 'q'.repeat(64), NO_COLOR: '1' };

/** Preloaded into every process of a `stryke start`: each writes the modules it holds, a second after starting. */
const CENSUS = `
const { writeFileSync } = require('node:fs');
setTimeout(() => {
  const cluster = require('node:cluster');
  writeFileSync(require('node:path').join(process.env.CENSUS_DIR, (cluster.isWorker ? 'worker-' : 'primary-') + process.pid + '.json'), JSON.stringify(Object.keys(require.cache)));
}, 1500).unref();
`;

describe('stryke build: the serving code bundled', () => {
  it('writes dist/server.js; stryke start runs its workers from it, and its primary loads neither the app nor the serving code', async () => {
    const root = app();
    mkdirSync(join(root, 'public'), { recursive: true });
    writeFileSync(join(root, 'public', 'notes.webmanifest'), '{"name":"notes"}\n');
    writeFileSync(join(root, 'public', 'notes.csv'), 'text\nseeded\n');
    const built = stryke(['build'], { cwd: root });
    assert.equal(built.status, 0, built.stderr + built.stdout);
    assert.ok(existsSync(join(root, 'dist', 'server.js')), 'dist/server.js written');
    // By default the bundle is server-bundle.js, compiled with V8's code cache by the loader server.js.
    assert.ok(existsSync(join(root, 'dist', 'server-bundle.js')), 'the bundle beside its loader');
    const bundle = readFileSync(join(root, 'dist', 'server-bundle.js'), 'utf8');
    // One character beyond Latin-1 would make V8 hold the whole bundle's source as a two-byte string (twice the memory).
    assert.doesNotMatch(bundle, /[^\x00-\x7f]/, 'the bundle is ASCII');
    // esbuild names each bundled module by its file, the key of its wrapper: `__commonJS({"<file>"(exports, module) {`
    // (its `// <file>` comments go with the whitespace).
    const bundled = [...bundle.matchAll(/__(?:commonJS|esm)\(\{\s*"([^"]+)"\(/g)].map((m) => m[1]!);
    assert.ok(bundled.length > 300 && bundled.some((f) => f.includes('node_modules/fastify/fastify.js')), `the bundle's modules are read (${bundled.length})`);
    const holds = (pattern: RegExp) => bundled.filter((f) => pattern.test(f));
    assert.deepEqual(holds(/node_modules\/(bullmq\/|ioredis\/|luxon\/|fast-json-stringify\/index\.js)/), [], 'the job queue engine and the schema compilers stay in node_modules');
    // Required on first use from node_modules: mime-types (mime-db's JSON) with the first static file, Handlebars'
    // compiler where templates are compiled; the views' runtime is bundled.
    assert.deepEqual(holds(/node_modules\/(mime-types\/|mime-db\/|source-map\/|handlebars\/dist\/cjs\/handlebars\/compiler\/)/), [], 'mime-types and the template compiler stay in node_modules');
    assert.equal(holds(/node_modules\/handlebars\/dist\/cjs\/handlebars\.runtime\.js$/).length, 1, 'the views\' runtime is bundled');
    // Only the whitespace is minified: names stay (a class's name is what a controller or a model is known by).
    assert.ok(bundle.length < 2.6e6 && bundle.split('\n').length < 2000, `the whitespace is gone (${bundle.length} bytes)`);
    assert.match(bundle, /var ActionController=class\b/, 'names are kept');
    assert.match(built.stdout, /bundling the serving code … done/);
    const prepared = stryke(['db', 'prepare'], { cwd: root, env: production });
    assert.equal(prepared.status, 0, prepared.stderr + prepared.stdout);

    const census = mkdtempSync(join(tmpdir(), 'stryke-census-'));
    writeFileSync(join(census, 'census.js'), CENSUS);
    const notes = await withServer(['start', '--workers', '1', '--host', '127.0.0.1'], {
      cwd: root, env: { ...production, CENSUS_DIR: census, NODE_OPTIONS: `--require ${join(census, 'census.js')}` },
    }, async (base) => {
      const res = await fetch(`${base}/notes`);
      const body = await res.json();
      // Static files' types: a common one from the framework's table, another from mime-types (in node_modules).
      const file = await fetch(`${base}/notes.webmanifest`);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'application/manifest+json; charset=utf-8');
      assert.equal(await file.text(), '{"name":"notes"}\n');
      const csv = await fetch(`${base}/notes.csv`);
      assert.equal(csv.status, 200);
      assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.equal(await csv.text(), 'text\nseeded\n');
      // Both processes have written their census by the time it is read.
      const deadline = Date.now() + COMMAND_TIMEOUT;
      while (readdirSync(census).filter((f) => f.endsWith('.json')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return { status: res.status, body };
    });
    assert.deepEqual(notes, { status: 200, body: { notes: ['seeded'] } });

    const read = (prefix: string) => JSON.parse(readFileSync(join(census, readdirSync(census).find((f) => f.startsWith(prefix))!), 'utf8')) as string[];
    const worker = read('worker-');
    assert.ok(worker.some((f) => f === join(root, 'dist', 'server.js')), 'the worker runs the bundle');
    assert.ok(!worker.some((f) => f.includes('/build/framework/http/')), 'and not the framework\'s separate files');
    const primary = read('primary-');
    const held = ['/node_modules/fastify/', '/node_modules/typeorm/', '/node_modules/better-sqlite3/', '/node_modules/handlebars/', '/build/framework/orm/connection.js', '/build/framework/http/', '/build/framework/migrations/runner.js', '/build/app/', '/dist/server.js']
      .filter((part) => primary.some((f) => f.includes(part)));
    assert.deepEqual(held, [], 'the primary supervises only');

    // V8's code cache: the first start writes it (here half a second after boot), a later start uses it as it is.
    const cache = join(root, 'dist', 'server-bundle.cache');
    const start = (fn: (base: string) => Promise<void>) =>
      withServer(['start', '--workers', '1', '--host', '127.0.0.1'], { cwd: root, env: { ...production, STRYKE_CODE_CACHE_DELAY_MS: '500' } }, fn);
    const waitFor = async (ok: () => boolean) => {
      const deadline = Date.now() + COMMAND_TIMEOUT;
      while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    };
    await start(async (base) => {
      assert.equal((await fetch(`${base}/notes`)).status, 200);
      await waitFor(() => existsSync(cache));
    });
    assert.ok(existsSync(cache), 'the first start wrote the code cache');
    const written = statSync(cache).mtimeMs;
    await start(async (base) => {
      const res = await fetch(`${base}/notes`);
      assert.deepEqual({ status: res.status, body: await res.json() }, { status: 200, body: { notes: ['seeded'] } });
      await new Promise((r) => setTimeout(r, 2000));
    });
    assert.equal(statSync(cache).mtimeMs, written, 'V8 took the cache: the second start did not write another');
  });
});

describe('stryke build --single: one executable', () => {
  const unsupported = seaUnsupported();
  it('serves the app (SQLite) from a folder with no node_modules: db prepare and start through the executable', { skip: unsupported }, async () => {
    const root = app();
    const built = stryke(['build', '--single'], { cwd: root });
    assert.equal(built.status, 0, built.stderr + built.stdout);
    assert.match(built.stdout, /writing the single executable … done/);
    // Deployed alone: dist/ copied where no node_modules is up the tree.
    const deployed = join(mkdtempSync(join(tmpdir(), 'stryke-single-')), 'notes');
    cpSync(join(root, 'dist'), deployed, { recursive: true });
    const bin = join(deployed, 'notes');
    assert.ok(existsSync(bin), 'the executable is named after package.json');
    const env = { PATH: '/usr/bin:/bin', HOME: deployed, ...production, STRYKE_NATIVE_DIR: join(deployed, 'tmp') };

    const prepared = spawnSync(bin, ['db', 'prepare'], { cwd: deployed, env, encoding: 'utf8', timeout: COMMAND_TIMEOUT });
    assert.equal(prepared.status, 0, prepared.stderr + prepared.stdout);
    assert.match(prepared.stdout, /migrating 20260101000000 CreateNotes … done/);

    const notes = await withServer(['start', '--workers', '1', '--host', '127.0.0.1'], { bin, cwd: deployed, env }, async (base) => {
      const res = await fetch(`${base}/notes`);
      return { status: res.status, body: await res.json() };
    });
    assert.deepEqual(notes, { status: 200, body: { notes: ['seeded'] } });
    // better-sqlite3's addon was carried inside and loaded from the private folder.
    assert.ok(readdirSync(join(deployed, 'tmp')).some((d) => existsSync(join(deployed, 'tmp', d, 'better_sqlite3.node'))));

    // A folder others can write is refused: a planted addon would run as this user.
    const shared = mkdtempSync(join(tmpdir(), 'stryke-shared-'));
    const addon = readFileSync(join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node'));
    const planted = join(shared, `stryke-native-${createHash('sha256').update(addon).digest('hex').slice(0, 16)}`);
    mkdirSync(planted);
    chmodSync(planted, 0o777);
    const refused = spawnSync(bin, ['db', 'status'], { cwd: deployed, env: { ...env, STRYKE_NATIVE_DIR: shared }, encoding: 'utf8', timeout: COMMAND_TIMEOUT });
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /not private to this user.*\(STRYKE_E_SERVER_NATIVE_DIR\)/);
  });
});
