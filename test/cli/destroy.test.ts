import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import { COMMAND_TIMEOUT, BIN } from '../support/cli';

function run(cwd: string, ...args: string[]) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'development', DATABASE_URL: '' }, timeout: COMMAND_TIMEOUT,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Every file and folder under root but node_modules, build and local databases, with file contents. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (['node_modules', 'build', 'dist', 'tmp'].includes(name) || name.endsWith('.sqlite3')) continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        out.set(`${relative(root, full)}/`, '');
        walk(full);
      } else {
        out.set(relative(root, full), readFileSync(full, 'utf8'));
      }
    }
  };
  walk(root);
  return out;
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  return lines[0]!;
}

describe('stryke destroy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-destroy-'));
  const root = join(dir, 'app');
  before(() => {
    const res = run(dir, 'new', 'app', '-q');
    assert.equal(res.status, 0, res.stderr);
  });

  it('removes exactly what a scaffold wrote, and its compiled code, leaving the app as it was', () => {
    const before = snapshot(root);
    assert.equal(run(root, 'generate', 'scaffold', 'Post', 'title:string', 'body:text').status, 0);
    assert.equal(run(root, 'build').status, 0);
    assert.ok(existsSync(join(root, 'build/app/controllers/posts_controller.js')));

    const res = run(root, 'destroy', 'scaffold', 'Post');
    assert.equal(res.status, 0, res.stderr);
    for (const f of ['app/models/post.ts', 'app/controllers/posts_controller.ts', 'app/views/posts/_form.hbs', 'test/posts.test.ts', 'test/models/post.test.ts']) {
      assert.match(res.stdout, new RegExp(`^ +remove {2}${f.replace(/\./g, '\\.')}$`, 'm'));
    }
    assert.match(res.stdout, /^ +remove {2}db\/migrations\/\d{14}_create_posts\.ts$/m);
    assert.match(res.stdout, /^ +keep {2}app\/models\/application_model\.ts$/m);
    assert.match(res.stdout, /^ +remove {2}app\/views\/posts\/$/m);
    assert.deepEqual(snapshot(root), before);
    assert.ok(!existsSync(join(root, 'build/app/controllers/posts_controller.js')), 'the compiled controller is gone');
    assert.ok(!existsSync(join(root, 'build/app/models/post.js')), 'the compiled model is gone');
    assert.equal(run(root, 'build').status, 0, 'the app still compiles');
  });

  it('leaves files it did not write: another migration, a view added by hand', () => {
    assert.equal(run(root, 'generate', 'controller', 'Pages', 'home', 'about').status, 0);
    assert.equal(run(root, 'generate', 'migration', 'AddPriceToProducts', 'price:decimal').status, 0);
    writeFileSync(join(root, 'app/views/pages/contact.hbs'), '<h1>Contact</h1>\n');
    const before = snapshot(root);

    const res = run(root, 'destroy', 'controller', 'Pages');
    assert.equal(res.status, 0, res.stderr);
    const after = snapshot(root);
    const gone = [...before.keys()].filter((k) => !after.has(k)).sort();
    assert.deepEqual(gone, ['app/controllers/pages_controller.ts', 'app/views/pages/about.hbs', 'app/views/pages/home.hbs', 'test/pages_controller.test.ts']);
    assert.equal(after.get('app/views/pages/contact.hbs'), '<h1>Contact</h1>\n');
    assert.ok([...after.keys()].some((k) => /^db\/migrations\/\d{14}_add_price_to_products\.ts$/.test(k)));

    const migration = run(root, 'destroy', 'migration', 'AddPriceToProducts');
    assert.equal(migration.status, 0, migration.stderr);
    assert.match(migration.stdout, /note {2}a migration was removed/);
    assert.deepEqual(readdirSync(join(root, 'db/migrations')), ['.keep']);
  });

  it('lists without removing under --dry-run, reports JSON, and says when there is nothing to remove', () => {
    assert.equal(run(root, 'generate', 'resource', 'Tag', 'name:string').status, 0);
    const before = snapshot(root);
    const dry = run(root, 'destroy', 'resource', 'Tag', '--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^ +remove {2}app\/controllers\/tags_controller\.ts$/m);
    assert.deepEqual(snapshot(root), before);

    const json = run(root, 'destroy', 'resource', 'Tag', '--json');
    assert.equal(json.status, 0, json.stderr);
    const out = JSON.parse(json.stdout);
    assert.equal(out.generator, 'resource');
    assert.deepEqual(out.files.filter((f: { status: string }) => f.status === 'remove').map((f: { path: string }) => f.path).sort(),
      [...before.keys()].filter((k) => !snapshot(root).has(k) && !k.endsWith('/')).sort());
    assert.ok(!existsSync(join(root, 'app/models/tag.ts')));

    const again = run(root, 'destroy', 'resource', 'Tag');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^ +missing {2}app\/models\/tag\.ts$/m);
    assert.match(again.stdout, /note {2}nothing to remove/);
  });

  it('removes exactly what the job generator wrote, and its compiled code', () => {
    const before = snapshot(root);
    assert.equal(run(root, 'generate', 'job', 'SendReport', 'queue:mailers').status, 0);
    assert.equal(run(root, 'build').status, 0);
    assert.ok(existsSync(join(root, 'build/app/jobs/send_report_job.js')));

    const res = run(root, 'destroy', 'job', 'SendReport');
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /^ +remove {2}app\/jobs\/send_report_job\.ts$/m);
    assert.match(res.stdout, /^ +remove {2}test\/jobs\/send_report_job\.test\.ts$/m);
    assert.match(res.stdout, /^ +remove {2}test\/jobs\/$/m);
    assert.deepEqual(snapshot(root), before, 'app/jobs/ itself (part of the skeleton) stays');
    assert.ok(!existsSync(join(root, 'build/app/jobs/send_report_job.js')), 'the compiled job is gone');
    assert.ok(!existsSync(join(root, 'build/test/jobs')), 'and its compiled test');
  });

  it('refuses an unknown generator in one line, removing nothing', () => {
    const before = snapshot(root);
    const res = run(root, 'destroy', 'scafold', 'Post');
    assert.equal(res.status, 1);
    assert.match(oneLine(res.stderr), /Unknown generator "scafold"\. Did you mean "scaffold"\?.*\(STRYKE_E_GENERATOR_UNKNOWN\)$/);
    assert.deepEqual(snapshot(root), before);
  });
});
