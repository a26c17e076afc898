#!/usr/bin/env node
// Runs the suite file by file, each file on every backend named before the next file starts, so the
// backends compared meet the same machine load (the suite's tests are timing-bound; a busy machine fails some
// on any backend). node interleave.mjs <prefix> <backend> [<backend> ...]
// Writes results/<prefix>-<backend>.json, one report per backend, as run.mjs does for a whole run.
// CONFORMANCE_FILES=flow.test.ts,events.test.ts runs only those files.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const [prefix, ...backends] = process.argv.slice(2);
if (!prefix || backends.length === 0) {
  console.error('usage: node interleave.mjs <prefix> <backend> [<backend> ...]   (backends: sqlite, mysql, postgres)');
  process.exit(2);
}
const run = (backend, file) =>
  spawnSync(process.execPath, [join(here, 'run.mjs'), backend, ...(file ? [`tests/${file}`] : [])], {
    env: { ...process.env, CONFORMANCE_LABEL: `${prefix}-${backend}` },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });

// The first run prepares .work/ (BullMQ's tests); the files are those vitest.config.mjs selects.
if (!existsSync(join(here, '.work', 'tests'))) run(backends[0], 'bulk.test.ts');
const { default: config } = await import(join(here, 'vitest.config.mjs'));
const excluded = new Set(config.test.exclude.filter((p) => p.startsWith('tests/') && !p.includes('*')).map((p) => p.slice(6)));
const files = readdirSync(join(here, '.work', 'tests'))
  .filter((f) => f.endsWith('.test.ts') && !f.endsWith('.redis.test.ts') && !f.startsWith('debug-') && !excluded.has(f))
  .filter((f) => !process.env.CONFORMANCE_FILES || process.env.CONFORMANCE_FILES.split(',').includes(f))
  .sort();

const merged = Object.fromEntries(backends.map((b) => [b, { testResults: [] }]));
for (const [i, file] of files.entries()) {
  for (const backend of backends) {
    const started = Date.now();
    run(backend, file);
    const out = join(here, 'results', `${prefix}-${backend}.json`);
    const report = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { testResults: [] };
    const mine = report.testResults.filter((f) => f.name.endsWith(`/tests/${file}`));
    merged[backend].testResults.push(...mine);
    const tests = mine.flatMap((f) => f.assertionResults);
    const failed = tests.filter((t) => t.status === 'failed').length;
    console.log(`[${i + 1}/${files.length}] ${file} on ${backend}: ${tests.length - failed} ok, ${failed} failed, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    writeFileSync(out, JSON.stringify(merged[backend]));
  }
}
console.log(`done: node summary.mjs ${prefix}-<backend> --compare ${prefix}-postgres`);
