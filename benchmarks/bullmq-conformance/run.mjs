#!/usr/bin/env node
// BullMQ conformance: runs BullMQ's own test suite (its tests/ folder at a pinned commit of the v6 line)
// with vitest against the installed bullmq package, the default backend swapped for one of ours (or
// BullMQ's PostgreSQL backend, the reference). See README.md in this folder.
//
//   node benchmarks/bullmq-conformance/run.mjs <sqlite|mysql|postgres> [vitest file filters...] [-- vitest args]
//
// The tests come from BULLMQ_TESTS (a folder holding BullMQ's tests/), else from the git mirror at
// BULLMQ_REPO at BULLMQ_REF. Nothing of BullMQ's is committed to this repository.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const DEFAULT_REF = '352d3c72bf2bc5ec851630a4cdcba7d44c313ed0'; // BullMQ master just after v6.2.0: the newest v6 tests in the mirror
const backends = ['sqlite', 'mysql', 'postgres'];

const argv = process.argv.slice(2);
const backend = argv.shift();
if (!backends.includes(backend)) {
  console.error(`usage: node benchmarks/bullmq-conformance/run.mjs <${backends.join('|')}> [test file filters...] [-- vitest args]`);
  process.exit(2);
}
const dash = argv.indexOf('--');
const filters = dash < 0 ? argv : argv.slice(0, dash);
const extra = dash < 0 ? [] : argv.slice(dash + 1);

function fail(msg) {
  console.error(`bullmq-conformance: ${msg}`);
  process.exit(1);
}

// 1. vitest and the suite's test-only dependencies, in this folder only.
if (!existsSync(join(here, 'node_modules/vitest'))) {
  console.log('bullmq-conformance: installing vitest and the suite\'s test dependencies in benchmarks/bullmq-conformance/ ...');
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });
}
const bullmqDist = join(root, 'node_modules/bullmq/dist/cjs');
if (!existsSync(bullmqDist)) fail('node_modules/bullmq is not installed at the repository root');
const framework = resolve(process.env.CONFORMANCE_FRAMEWORK || join(root, 'build/framework'));
if (!existsSync(join(framework, 'jobs/backends.js'))) fail(`${framework}/jobs is missing: run \`npx tsc -b\` first`);

// 2. BullMQ's tests, into .work/ (git-ignored).
const work = join(here, '.work');
const ref = process.env.BULLMQ_REF || DEFAULT_REF;
const stamp = join(work, '.source');
const source = process.env.BULLMQ_TESTS ? `dir:${resolve(process.env.BULLMQ_TESTS)}` : `git:${process.env.BULLMQ_REPO ?? ''}@${ref}`;
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== source) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  if (process.env.BULLMQ_TESTS) {
    const from = resolve(process.env.BULLMQ_TESTS);
    cpSync(existsSync(join(from, 'tests')) ? join(from, 'tests') : from, join(work, 'tests'), { recursive: true });
  } else {
    const repo = process.env.BULLMQ_REPO;
    if (!repo) fail('set BULLMQ_REPO to a git clone/mirror of https://github.com/taskforcesh/bullmq (or BULLMQ_TESTS to a folder with its tests/)');
    const tar = execFileSync('git', ['--git-dir', existsSync(join(repo, '.git')) ? join(repo, '.git') : repo, 'archive', ref, 'tests'], { maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', work], { input: tar });
  }
  writeFileSync(stamp, source);
}
// The tests import BullMQ from ../src: point that at the installed package's compiled output (and their
// child-process fixtures' ../../dist at its dist/). Left alone when already right: another run may be using them.
const link = (target, path) => {
  let current;
  try {
    current = readlinkSync(path);
  } catch {
    current = undefined;
  }
  if (current === target) return;
  rmSync(path, { force: true });
  symlinkSync(target, path);
};
link(bullmqDist, join(work, 'src'));
link(dirname(bullmqDist), join(work, 'dist'));
if (!existsSync(join(work, 'setup.mjs')) || readFileSync(join(work, 'setup.mjs'), 'utf8') !== readFileSync(join(here, 'setup.mjs'), 'utf8')) {
  cpSync(join(here, 'setup.mjs'), join(work, 'setup.mjs'));
}

// 3. A fresh database for the run.
mkdirSync(join(work, 'db'), { recursive: true });
const label = process.env.CONFORMANCE_LABEL || backend;
const env = { ...process.env, CONFORMANCE_BACKEND: backend, CONFORMANCE_ROOT: root, CONFORMANCE_FRAMEWORK: framework, CONFORMANCE_LABEL: label };
if (backend === 'sqlite') {
  const file = join(work, 'db', `${label}.sqlite3`);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  env.CONFORMANCE_SQLITE = file;
} else if (backend === 'mysql') {
  env.CONFORMANCE_MYSQL ??= process.env.MYSQL_URL || `mysql://root@127.0.0.1:3306/stryke_bullmq_${label.replace(/\W/g, '_')}`;
} else {
  env.CONFORMANCE_POSTGRES ??= process.env.POSTGRES_URL || `postgres://postgres@127.0.0.1:5432/stryke_bullmq_${label.replace(/\W/g, '_')}`;
}

// 4. vitest.
const vitest = join(here, 'node_modules/vitest/vitest.mjs');
const res = spawnSync(process.execPath, [vitest, 'run', '--config', join(here, 'vitest.config.mjs'), '--root', work, ...filters, ...extra], { cwd: work, env, stdio: 'inherit' });
process.exit(res.status ?? 1);
