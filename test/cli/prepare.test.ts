import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../support/cli';

describe('npm install: the prepare script says what it is doing', () => {
  it('prints each step as it starts and how long it took, as the CLI\'s progress lines do', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.prepare, 'node scripts/prepare.js');
    // Run as npm runs it (output to a pipe). `npm test` has compiled everything: no project is out of date.
    const res = spawnSync(process.execPath, [join(REPO, 'scripts', 'prepare.js')], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /^stryke: linking sample-app\/ to this checkout … done \(\d+\.\ds\)$/m);
    assert.match(res.stdout, /^stryke: compiling TypeScript to build\/ \(tsc -b\): the framework, the sample app, the tests and the benchmarks$/m);
    assert.match(res.stdout, /^stryke: (build\/ is up to date\.|compiled \d+ project\(s\); `npm start` serves the sample app\.)$/m);
    assert.doesNotMatch(res.stdout, /\r|\x1b/, 'no spinner on a pipe');
  });
});
