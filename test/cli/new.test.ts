import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from 'stryke';
import ts from 'typescript';
import { COMMAND_TIMEOUT, BIN, REPO, freePort, stryke, strykeBackground, waitForHttp } from '../support/cli';

/** As a user's shell has it: development, and no DATABASE_URL of the test runner's. */
const USER_ENV = { STRYKE_ENV: 'development', DATABASE_URL: '' };

/**
 * The environment of a command a user types: without NODE_TEST_CONTEXT, which this test runner sets
 * and which makes a nested `node --test` (inside `stryke test`) skip every file and exit 0.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...USER_ENV };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** Runs the stryke CLI in `cwd` as a user would, and waits for it. */
function run(cwd: string, ...args: string[]) {
  const res = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: userEnv(), timeout: COMMAND_TIMEOUT });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function files(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (name === 'node_modules' || name === 'build') continue;
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(root, full));
    }
  };
  walk(root);
  return out.sort();
}

const APP_FILES = [
  '.gitattributes', '.gitignore', 'README.md',
  'app/channels/.keep', 'app/controllers/application_controller.ts', 'app/controllers/home_controller.ts', 'app/jobs/.keep',
  'app/mailers/.keep', 'app/middleware/.keep', 'app/models/application_model.ts', 'app/views/home/index.hbs',
  'app/views/layouts/application.hbs', 'config/database.toml', 'config/jobs.toml', 'config/middleware.ts', 'config/routes.ts',
  'config/credentials.toml.enc', 'config/master.key', 'config/server.toml', 'db/migrations/.keep', 'db/seeds.ts',
  'package.json', 'public/app.css', 'test/home.test.ts', 'tsconfig.json',
].sort();

/** An `--api` app: no views, no layout, no stylesheet. */
const API_FILES = APP_FILES.filter((f) => !f.startsWith('app/views/') && !f.startsWith('public/'));

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  return lines[0]!;
}

describe('stryke new', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-new-'));

  it('writes a complete app, linked to this checkout of the framework', () => {
    const res = stryke(['new', 'blog'], { cwd: dir });
    assert.equal(res.status, 0, res.stderr);
    const root = join(dir, 'blog');
    assert.deepEqual(files(root), APP_FILES);
    for (const f of APP_FILES) assert.match(res.stdout, new RegExp(`create  ${f.replace(/\./g, '\\.')}\\n`));
    assert.match(res.stdout, /npx stryke generate scaffold/);
    // One story: the README's "A new app" runs the commands the hint gives, and serves where the hint says.
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8').split(/^## A new app$/m)[1]!.split(/^## /m)[0]!;
    const commands = (text: string) => [...text.matchAll(/^\s*(npx stryke [^#\n]*?)\s*(?:#.*)?$/gm)].map((m) => m[1]!);
    const hint = res.stdout.split(/Next:\n/)[1]!;
    for (const c of commands(hint)) assert.ok(commands(readme).includes(c), `the README's "A new app" has \`${c}\``);
    for (const url of hint.match(/http:\/\/localhost:\d+\/\S*/g) ?? []) assert.ok(readme.includes(url), `the README says ${url}`);

    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'blog');
    assert.deepEqual(pkg.dependencies, { stryke: `file:${REPO}` });
    assert.equal(pkg.scripts.start, 'stryke start');
    assert.equal(pkg.scripts.dev, 'stryke dev');
    assert.equal(pkg.scripts.test, 'stryke test');

    // tsconfig.json has comments, which tsc reads (JSON.parse would not).
    const parsed = ts.parseConfigFileTextToJson('tsconfig.json', readFileSync(join(root, 'tsconfig.json'), 'utf8'));
    assert.equal(parsed.error, undefined);
    const tsconfig = parsed.config;
    assert.match(readFileSync(join(root, 'tsconfig.json'), 'utf8'), /^ {4}\/\/ stryke's decorators/m);
    assert.equal(tsconfig.compilerOptions.composite, undefined);
    assert.equal(tsconfig.references, undefined);
    assert.equal(tsconfig.compilerOptions.incremental, true);
    assert.equal(tsconfig.compilerOptions.tsBuildInfoFile, 'build/.tsbuildinfo');
    assert.deepEqual(tsconfig.compilerOptions.typeRoots, ['./node_modules/@types', './node_modules/stryke/node_modules/@types']);
    assert.equal(tsconfig.compilerOptions.experimentalDecorators, true);
    assert.deepEqual(tsconfig.include, ['app/**/*.ts', 'config/**/*.ts', 'db/**/*.ts', 'test/**/*.ts']);

    // Every config file explains its keys: a comment line before each group of settings.
    for (const f of ['config/server.toml', 'config/database.toml', 'config/jobs.toml']) {
      const lines = readFileSync(join(root, f), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^[a-z_]+ = /.test(line) && !/^[a-z_]+ = /.test(lines[i - 1] ?? '')) assert.match(lines[i - 1] ?? '', /^#|^\[/, `${f}:${i + 1} ${line} has a comment above`);
      });
    }
    assert.match(readFileSync(join(root, 'config/routes.ts'), 'utf8'), /export default routes\(/);
    assert.match(readFileSync(join(root, 'config/middleware.ts'), 'utf8'), /^export default \[\];$/m);
    assert.equal(loadConfig(root, 'test', {}).jobs.workers_per_core, 0);
    // The session secret, in the encrypted credentials, under a key only the owner can read.
    assert.match(loadConfig(root, 'production', {}).credentials.secret_key_base, /^[0-9a-f]{128}$/);
    assert.equal(statSync(join(root, 'config/master.key')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(root, 'config/credentials.toml.enc'), 'utf8'), /^secret_key_base = "enc:v1:[A-Za-z0-9+/=]+"$/m);
    const ignore = readFileSync(join(root, '.gitignore'), 'utf8');
    for (const entry of ['node_modules', 'build', '*.sqlite3*', 'tmp', 'log']) assert.match(ignore, new RegExp(`^${entry.replace(/\*/g, '\\*')}/?$`, 'm'));
    const layout = readFileSync(join(root, 'app/views/layouts/application.hbs'), 'utf8');
    assert.match(layout, /\{\{csrfMetaTags\}\}/);
    assert.match(layout, /\{\{#if flash\.notice\}\}/);
    assert.match(layout, /\{\{yield\}\}/);
    // Through the asset helper: fingerprinted and cached for good once built, not a fixed /app.css.
    assert.match(layout, /\{\{stylesheetTag "app\.css"\}\}/);

    assert.ok(lstatSync(join(root, 'node_modules/stryke')).isSymbolicLink());
    assert.equal(realpathSync(join(root, 'node_modules/stryke')), realpathSync(REPO));
    assert.equal(realpathSync(join(root, 'node_modules/.bin/stryke')), realpathSync(BIN));
    const version = spawnSync(join(root, 'node_modules/.bin/stryke'), ['--version'], { cwd: root, encoding: 'utf8' });
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);

    const config = loadConfig(root, 'development', {});
    assert.equal(config.database.adapter, 'sqlite');
    assert.equal(config.database.database, 'db/development.sqlite3');
    assert.equal(loadConfig(root, 'test', {}).database.database, 'db/test.sqlite3');
    assert.equal(config.server.port, 3000);
  });

  it('refuses a directory that is not empty, writing nothing', () => {
    const root = join(dir, 'taken');
    mkdirSync(root);
    writeFileSync(join(root, 'notes.txt'), 'mine');
    const res = stryke(['new', 'taken'], { cwd: dir });
    assert.equal(res.status, 1);
    assert.match(oneLine(res.stderr), /^stryke: taken already exists .*\(STRYKE_E_GENERATOR_DIR_NOT_EMPTY\)$/);
    assert.deepEqual(readdirSync(root), ['notes.txt']);
    assert.equal(readdirSync(dir).filter((n) => n.includes('stryke-new')).length, 0, 'no temporary folder is left');
  });

  it('fills an existing empty directory, and skips the links with --skip-install', () => {
    const root = join(dir, 'empty');
    mkdirSync(root);
    const res = stryke(['new', '.', '--skip-install'], { cwd: root });
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual(files(root), APP_FILES);
    assert.deepEqual(readdirSync(root).filter((n) => n.includes('stryke-new') || n === 'node_modules'), []);
    assert.match(res.stdout, /npm install/);
  });

  it('writes a PostgreSQL or MySQL database.toml with --database', () => {
    const pg = stryke(['new', 'pg-shop', '--database', 'postgres', '--skip-install'], { cwd: dir });
    assert.equal(pg.status, 0, pg.stderr);
    const pgRoot = join(dir, 'pg-shop');
    const dev = loadConfig(pgRoot, 'development', {}).database;
    assert.deepEqual(
      { adapter: dev.adapter, host: dev.host, username: dev.username, database: dev.database },
      { adapter: 'postgres', host: '127.0.0.1', username: 'postgres', database: 'pg_shop_development' },
    );
    assert.equal(loadConfig(pgRoot, 'test', {}).database.database, 'pg_shop_test');
    assert.equal(loadConfig(pgRoot, 'production', {}).database.database, 'pg_shop_production');
    const prod = loadConfig(pgRoot, 'production', { DATABASE_NAME: 'shop', DATABASE_HOST: 'db.internal', DATABASE_PASSWORD: 's3cret' }).database;
    assert.deepEqual([prod.database, prod.host, prod.password], ['shop', 'db.internal', 's3cret']);

    const my = stryke(['new', 'my_shop', '--database', 'mariadb', '--skip-install'], { cwd: dir });
    assert.equal(my.status, 0, my.stderr);
    const myDev = loadConfig(join(dir, 'my_shop'), 'development', {}).database;
    assert.deepEqual(
      { adapter: myDev.adapter, host: myDev.host, username: myDev.username, password: myDev.password, database: myDev.database },
      { adapter: 'mysql', host: '127.0.0.1', username: 'root', password: '', database: 'my_shop_development' },
    );
  });

  it('rejects an unknown database and a bad app name with one line', () => {
    const db = stryke(['new', 'x1', '--database', 'postgress'], { cwd: dir });
    assert.equal(db.status, 1);
    assert.match(oneLine(db.stderr), /Unknown database "postgress"\. Did you mean "postgres"\?.*\(STRYKE_E_GENERATOR_UNKNOWN_DATABASE\)/);
    const name = stryke(['new', '2fast'], { cwd: dir });
    assert.equal(name.status, 1);
    assert.match(oneLine(name.stderr), /STRYKE_E_GENERATOR_BAD_APP_NAME/);
    assert.deepEqual(readdirSync(dir).filter((n) => n === 'x1' || n === '2fast' || n.includes('stryke-new')), []);
  });

  it('goes from `stryke new` to a working CRUD page with passing tests, on SQLite', async () => {
    assert.equal(stryke(['new', 'quick'], { cwd: dir }).status, 0);
    const root = join(dir, 'quick');
    // The app's own link to the CLI, as `npx stryke` runs it.
    const npx = (...args: string[]) => spawnSync(join(root, 'node_modules/.bin/stryke'), args, {
      cwd: root, encoding: 'utf8', env: userEnv(),
    });
    const scaffold = npx('generate', 'scaffold', 'Post', 'title:string', 'body:text', 'published:boolean');
    assert.equal(scaffold.status, 0, scaffold.stderr);
    assert.match(scaffold.stdout, /create  app\/controllers\/posts_controller\.ts/);
    // Every generated view links public/ files through the asset helpers (stylesheetTag, assetPath...).
    const views = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? views(join(dir, e.name)) : [join(dir, e.name)]);
    for (const view of views(join(root, 'app/views'))) {
      assert.doesNotMatch(readFileSync(view, 'utf8'), /(href|src)="\/[^"]*\.(css|js|svg|png|ico|jpe?g|webp)"/, `${relative(root, view)} links an asset by a fixed path`);
    }

    const migrate = npx('db', 'migrate');
    assert.equal(migrate.status, 0, migrate.stdout + migrate.stderr);
    assert.match(migrate.stdout, /migrating \d{14} CreatePosts … done/);

    const port = await freePort();
    const server = strykeBackground(['server', '--port', String(port), '--host', '127.0.0.1'], { cwd: root, env: USER_ENV });
    let output = '';
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    try {
      await waitForHttp(`http://127.0.0.1:${port}/posts`);
      const page = await fetch(`http://127.0.0.1:${port}/posts`);
      assert.equal(page.status, 200, output);
      const html = await page.text();
      assert.match(html, /<h1>Posts<\/h1>/);
      assert.match(html, /href="\/posts\/new"/);
      assert.match(html, /<meta name="csrf-token"/);

      const json = await fetch(`http://127.0.0.1:${port}/posts.json`);
      assert.equal(json.status, 200);
      assert.match(String(json.headers.get('content-type')), /application\/json/);
      assert.deepEqual(await json.json(), []);
      const welcome = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(welcome.status, 200);
      assert.match(await welcome.text(), /Quick is running on stryke web/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/app.css`)).status, 200);
    } finally {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }

    const tests = run(root, 'test');
    assert.equal(tests.status, 0, tests.stdout + tests.stderr);
    // The home page (1), the Post model (2) and the posts controller (7).
    assert.match(tests.stdout, /# pass 10\n/);
    assert.match(tests.stdout, /# fail 0\n/);
  });

  it("passes its own `npm test` right away", () => {
    assert.equal(stryke(['new', 'fresh', '-q'], { cwd: dir }).status, 0);
    const root = join(dir, 'fresh');
    const res = spawnSync('npm', ['test'], { cwd: root, encoding: 'utf8', env: userEnv(), timeout: COMMAND_TIMEOUT });
    assert.equal(res.status, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /ok 1 - serves the welcome page at \//);
    assert.match(res.stdout, /# pass 1\n/);
    assert.match(res.stdout, /# fail 0\n/);
  });

  it('writes a JSON-only app with --api, whose scaffolds answer JSON and pass their tests', () => {
    const res = stryke(['new', 'api-only', '--api'], { cwd: dir });
    assert.equal(res.status, 0, res.stderr);
    const root = join(dir, 'api-only');
    assert.deepEqual(files(root), API_FILES);
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).stryke, { api: true });
    assert.match(readFileSync(join(root, 'app/controllers/home_controller.ts'), 'utf8'), /return this\.json\(\{ app: 'api-only', status: 'ok' \}\);/);

    const scaffold = run(root, 'generate', 'scaffold', 'Post', 'title:string', 'body:text', 'published:boolean');
    assert.equal(scaffold.status, 0, scaffold.stderr);
    assert.doesNotMatch(scaffold.stdout, /app\/views/);
    assert.ok(!readdirSync(join(root, 'app')).includes('views'), 'no views folder');
    const controller = readFileSync(join(root, 'app/controllers/posts_controller.ts'), 'utf8');
    assert.doesNotMatch(controller, /render|respondTo|redirectTo/);
    assert.match(controller, /return this\.json\(post, \{ status: 201 \}\);/);

    const tests = run(root, 'test');
    assert.equal(tests.status, 0, tests.stdout + tests.stderr);
    // The home document (1), the Post model (2) and the JSON API (7, paging included).
    assert.match(tests.stdout, /# pass 10\n/);
    assert.match(tests.stdout, /# fail 0\n/);
  });

  it('adds a Dockerfile and .dockerignore with --docker, and a CI workflow with --ci', () => {
    const res = stryke(['new', 'shipped', '--docker', '--ci', '--skip-install'], { cwd: dir });
    assert.equal(res.status, 0, res.stderr);
    const root = join(dir, 'shipped');
    assert.deepEqual(files(root), [...APP_FILES, '.dockerignore', '.github/workflows/ci.yml', 'Dockerfile'].sort());

    const docker = readFileSync(join(root, 'Dockerfile'), 'utf8');
    assert.match(docker, new RegExp(`^#   docker build --build-context stryke=${REPO.replace(/[/.]/g, '\\$&')} -t shipped \\.$`, 'm'));
    assert.match(docker, /^FROM node:\$\{NODE_VERSION\}-bookworm-slim AS build$/m);
    assert.match(docker, /^COPY --from=stryke framework \.\/framework$/m);
    assert.match(docker, /^RUN npx stryke build$/m);
    assert.match(docker, /^ENV NODE_ENV=production STRYKE_ENV=production PORT=3000$/m);
    assert.match(docker, /^USER node$/m);
    assert.match(docker, /SECRET_KEY_BASE/);
    assert.match(docker, /^ENV DATABASE_PATH=\/app\/db\/production\/app\.sqlite3$/m);
    assert.match(docker, /^CMD \["sh", "-c", "node_modules\/.bin\/stryke db migrate && exec node_modules\/.bin\/stryke start"\]$/m);
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'build', 'db/*.sqlite3*', 'config/master.key', '.git']) assert.ok(ignore.includes(entry), entry);

    const ci = readFileSync(join(root, '.github/workflows/ci.yml'), 'utf8');
    assert.match(ci, /^on:\n {2}push:\n {2}pull_request:$/m);
    assert.match(ci, /repository: \$\{\{ vars\.STRYKE_REPOSITORY \}\}/);
    assert.match(ci, /node-version: '20'/);
    assert.match(ci, /^ {8}run: npm test$/m);
    assert.doesNotMatch(ci, /services:/, 'SQLite needs no database service');
    assert.doesNotMatch(ci, /\t/, 'YAML takes no tabs');

    const pg = stryke(['new', 'shipped-pg', '--ci', '--database', 'postgres', '--skip-install'], { cwd: dir });
    assert.equal(pg.status, 0, pg.stderr);
    const pgCi = readFileSync(join(dir, 'shipped-pg/.github/workflows/ci.yml'), 'utf8');
    assert.match(pgCi, /services:\n {6}postgres:\n {8}image: postgres:16/);
    assert.match(pgCi, /POSTGRES_HOST_AUTH_METHOD: trust/);
  });

  it('prints nothing with --quiet, and progress and the files as JSON lines with --json', () => {
    const quiet = stryke(['new', 'hushed', '--quiet', '--skip-install'], { cwd: dir });
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stdout, '');
    assert.deepEqual(files(join(dir, 'hushed')), APP_FILES);

    const json = stryke(['new', 'listed', '--json'], { cwd: dir });
    assert.equal(json.status, 0, json.stderr);
    const events = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(events.filter((e) => e.event === 'step').map((e) => `${e.id} ${e.status}`), ['write start', 'write done', 'link start', 'link done']);
    const out = events.at(-1);
    assert.equal(out.event, 'result');
    assert.equal(realpathSync(out.root), realpathSync(join(dir, 'listed')));
    assert.deepEqual(out.files.map((f: { path: string }) => f.path).sort(), APP_FILES);
    assert.ok(out.files.every((f: { status: string }) => f.status === 'create'));
    assert.equal(out.links.length, 2);
  });
});
