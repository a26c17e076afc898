'use strict';
// Runs every compiled test (build/test/**/*.test.js) with Node's test runner. `npm test` compiles first.
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

function walk(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'fixtures') walk(full, out);
    } else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = walk(join(__dirname, '..', 'build', 'test'));
if (filter.length) files = files.filter((f) => filter.some((p) => f.includes(p)));
if (!files.length) {
  console.error('No test files found under build/test (run `npx tsc -b` first).');
  process.exit(1);
}
// --test-force-exit: a file whose tests are done exits even if something it started (a pool, a worker) is
// still open, so a leak fails loudly in that file's tests instead of hanging the whole run;
// --test-timeout: no single test may run longer than 3 minutes.
const res = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-force-exit', '--test-timeout=180000', ...files], {
  stdio: 'inherit',
  env: { ...process.env, STRYKE_ENV: 'test' },
});
process.exit(res.status ?? 1);
