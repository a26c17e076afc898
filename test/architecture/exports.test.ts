import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { framework, repo } from '../support/framework-sources';

// The package's subpaths (docs/architecture.md, "Concerns and their surfaces"): each user-facing concern is published
// as `stryke/<concern>` (its index.ts), and nothing else of the package is reachable by name: Node's "exports" refuse
// `stryke/cli`, `stryke/orm/internal` or `stryke/build/framework/...`. Resolved from the sample app, which reaches the
// framework as an app does (sample-app/node_modules/stryke links to this checkout: scripts/link-apps.js).

/** Concern folders with no subpath, and why: what users reach of them, if anything, is re-exported by the root. */
const UNPUBLISHED: Record<string, string> = {
  app: "createApp and paths are the package root's (`stryke`)",
  assets: 'served and built by the framework; apps use view helpers',
  cli: 'the `stryke` command',
  config: 'read at boot (`loadConfig` and `currentEnv` are on the root for scripts)',
  credentials: 'the `stryke credentials` commands and the config loader',
  db: 'the connections under the ORM, the job queue and migrations; apps use `stryke/orm`',
  generators: '`stryke new` and `stryke generate`',
  profiling: '`stryke prof`',
  registry: 'the records decorators write',
  security: "sessions and CSRF, reached through the controller's `session` and the form helpers",
  server: 'the cluster primary, the worker, `stryke dev` and `stryke build`',
  support: "errors and helpers (`StrykeError` is on the root)",
};

const sampleApp = join(repo, 'sample-app');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string | { types: string; default: string }> };
const concerns = readdirSync(framework).filter((n) => statSync(join(framework, n)).isDirectory()).sort();
const subpaths = Object.keys(pkg.exports).filter((k) => k !== '.' && k !== './package.json').map((k) => k.slice(2));

/** Runs `script` in a fresh node from the sample app's folder, as the app's own code would require the package. */
function fromSampleApp(script: string): unknown {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const res = spawnSync(process.execPath, ['-e', script], { cwd: sampleApp, encoding: 'utf8', env });
  assert.equal(res.status, 0, res.stdout + res.stderr);
  return JSON.parse(res.stdout.trim().split('\n').pop()!);
}

describe('package subpaths (package.json "exports")', () => {
  it('the sample app reaches the package through its link', () => {
    const link = join(sampleApp, 'node_modules', 'stryke');
    assert.ok(existsSync(link), `${link} is missing: run node scripts/link-apps.js`);
    assert.equal(realpathSync(link), realpathSync(repo));
  });

  it('publishes every user-facing concern, each as its index.ts, and names only concerns that exist', () => {
    for (const c of subpaths) assert.deepEqual(pkg.exports[`./${c}`], { types: `./build/framework/${c}/index.d.ts`, default: `./build/framework/${c}/index.js` }, `stryke/${c}`);
    const unaccounted = concerns.filter((c) => !subpaths.includes(c) && !(c in UNPUBLISHED));
    assert.deepEqual(unaccounted, [], 'a concern folder with neither a subpath nor a reason in UNPUBLISHED (test/architecture/exports.test.ts)');
    assert.deepEqual(subpaths.filter((c) => !concerns.includes(c)), [], 'a subpath with no framework/ folder');
    assert.deepEqual(subpaths.filter((c) => c in UNPUBLISHED), [], 'a published concern listed as unpublished');
    assert.deepEqual(Object.keys(UNPUBLISHED).filter((c) => !concerns.includes(c)), [], 'UNPUBLISHED names a folder that is gone');
    for (const c of ['channels', 'views', 'cache', 'auth', 'routing', 'http', 'rate-limit', 'di', 'orm', 'jobs', 'testing']) assert.ok(subpaths.includes(c), `stryke/${c}`);
  });

  it('every subpath resolves and loads from the sample app, to the built index.js', () => {
    const names = ['', ...subpaths].map((c) => (c ? `${pkg.name}/${c}` : pkg.name));
    const got = fromSampleApp(`
      const fs = require('node:fs');
      const out = {};
      for (const name of ${JSON.stringify(names)}) {
        const file = fs.realpathSync(require.resolve(name));
        out[name] = { file, exports: Object.keys(require(name)).length };
      }
      console.log(JSON.stringify(out));`) as Record<string, { file: string; exports: number }>;
    for (const name of names) {
      const c = name.split('/')[1];
      assert.equal(got[name].file, realpathSync(join(repo, 'build', 'framework', ...(c ? [c] : []), 'index.js')), name);
      assert.ok(got[name].exports > 0, `${name} exports nothing`);
    }
  });

  it("every subpath's types resolve from the sample app (node16 resolution, as its tsconfig.json)", () => {
    const from = join(sampleApp, 'app', 'controllers', 'application_controller.ts');
    const options: ts.CompilerOptions = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 };
    for (const c of ['', ...subpaths]) {
      const name = c ? `${pkg.name}/${c}` : pkg.name;
      const resolved = ts.resolveModuleName(name, from, options, ts.sys).resolvedModule;
      assert.ok(resolved, `${name}: no types`);
      assert.equal(realpathSync(resolved.resolvedFileName), realpathSync(join(repo, 'build', 'framework', ...(c ? [c] : []), 'index.d.ts')), name);
    }
  });

  it('refuses every other path: unpublished concerns, internal.ts, deep paths into the build', () => {
    const refused = [
      ...Object.keys(UNPUBLISHED).map((c) => `${pkg.name}/${c}`),
      ...concerns.filter((c) => existsSync(join(framework, c, 'internal.ts'))).map((c) => `${pkg.name}/${c}/internal`),
      `${pkg.name}/orm/meta`, `${pkg.name}/build/framework/orm/index.js`, `${pkg.name}/build/framework/orm/internal.js`,
      `${pkg.name}/build/framework/cli/program`, `${pkg.name}/framework/orm`, `${pkg.name}/bin/stryke.js`,
    ];
    const got = fromSampleApp(`
      const out = {};
      for (const name of ${JSON.stringify(refused)}) {
        try { require.resolve(name); out[name] = 'resolved'; } catch (e) { out[name] = e.code; }
      }
      console.log(JSON.stringify(out));`) as Record<string, string>;
    assert.deepEqual(got, Object.fromEntries(refused.map((n) => [n, 'ERR_PACKAGE_PATH_NOT_EXPORTED'])));
  });

  it("no published index exports what its concern's internal.ts holds", () => {
    const leaks: string[] = [];
    for (const c of subpaths.filter((s) => existsSync(join(framework, s, 'internal.ts')))) {
      const index = require(join(repo, 'build', 'framework', c)) as Record<string, unknown>;
      const internal = require(join(repo, 'build', 'framework', c, 'internal')) as Record<string, unknown>;
      for (const name of Object.keys(internal)) if (name in index) leaks.push(`stryke/${c} exports ${name}`);
    }
    assert.deepEqual(leaks, []);
  });
});
