import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../support/cli';

/** scripts/test.js, the runner `npm test` uses, on a tree of small test files of its own. */
function runner(files: Record<string, string>, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-runner-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const { NODE_TEST_CONTEXT: _inner, ...outer } = process.env;
  return spawnSync(process.execPath, [join(REPO, 'scripts', 'test.js')], { encoding: 'utf8', env: { ...outer, STRYKE_TEST_DIR: dir, ...env } });
}

const SLOW = `const { it } = require('node:test');
for (let i = 0; i < 4; i++) it('step ' + i, () => new Promise((r) => setTimeout(r, 700)));
`;
const HANGS = `const { it } = require('node:test');
it('finishes', () => {});
it('never ends', () => new Promise(() => setInterval(() => {}, 1000)));
`;

describe('the test runner (scripts/test.js)', () => {
  it('has no fixed time limit per file: a file that keeps making progress passes, however long it takes in all', () => {
    // Four tests of 0.7 s: longer in all than the 2-second idle limit, never idle that long.
    const res = runner({ 'slow.test.js': SLOW }, { STRYKE_TEST_IDLE_TIMEOUT: '2' });
    assert.equal(res.status, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /^# ok slow\.test\.js: 4 passed, 0 failed, 0 skipped in [\d.]+ s \[1\/1\]$/m);
  });

  it('cancels a file that hangs, and the summary says why and how to run it alone', () => {
    const res = runner({ 'hangs.test.js': HANGS, 'slow.test.js': SLOW }, { STRYKE_TEST_IDLE_TIMEOUT: '3' });
    assert.equal(res.status, 1);
    assert.match(res.stdout, /^# ok slow\.test\.js/m);
    assert.match(res.stdout, /^# FAILED hangs\.test\.js: cancelled: nothing printed for 3 s \(STRYKE_TEST_IDLE_TIMEOUT\): something in it hangs\. Its last line: ".*"\. Alone: node scripts\/test\.js hangs$/m);
  });
});
