'use strict';
// Runs the compiled tests (build/test/**/*.test.js), each file in a Node test runner process of its own, two at a
// time (STRYKE_TEST_CONCURRENCY). `npm test` compiles first; `node scripts/test.js orm/casting cli/new` runs the
// files whose path contains one of the words.
//
// A slow machine makes the suite slower, never red: no file has a fixed time limit. A file is cancelled only when
// it has printed nothing for STRYKE_TEST_IDLE_TIMEOUT seconds (default 600: no test in it finished or started in
// ten minutes, so something hangs), and the summary says so, with what the file printed last.
const { readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');
const { spawn } = require('node:child_process');

const root = join(__dirname, '..');
// STRYKE_TEST_DIR: another tree of compiled tests (the runner's own test uses it).
const buildTest = process.env.STRYKE_TEST_DIR ?? join(root, 'build', 'test');

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
let files;
try {
  files = walk(buildTest);
} catch {
  files = [];
}
if (filter.length) files = files.filter((f) => filter.some((p) => f.includes(p)));
if (!files.length) {
  console.error(filter.length ? `No compiled test file matches ${filter.join(', ')} (run \`npx tsc -b\` first?).` : 'No test files found under build/test (run `npx tsc -b` first).');
  process.exit(1);
}

const positive = (v, fallback) => (Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : fallback);
const concurrency = Math.min(files.length, positive(process.env.STRYKE_TEST_CONCURRENCY, 2));
const idleSeconds = positive(process.env.STRYKE_TEST_IDLE_TIMEOUT, 600);
const env = { ...process.env, STRYKE_ENV: 'test' };
const name = (file) => relative(buildTest, file);

// One file on a terminal: its own reporter, live (what `node --test` shows).
if (files.length === 1 && process.stdout.isTTY) {
  const child = spawn(process.execPath, ['--test', '--test-force-exit', files[0]], { stdio: 'inherit', env });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return;
}

/**
 * Runs one file: its output is printed whole when it ends (two files never interleave). --test-force-exit: a
 * file whose tests are done exits even if something it started is still open, so a leak fails in that file.
 */
function runFile(file) {
  return new Promise((resolveRun) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', '--test-force-exit', file], { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
    running.add(child.pid);
    let output = '';
    let idle;
    let cancelled;
    const watch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        const last = output.trim().split('\n').slice(-1)[0] ?? '';
        cancelled = `nothing printed for ${idleSeconds} s (STRYKE_TEST_IDLE_TIMEOUT): something in it hangs. Its last line: ${JSON.stringify(last.trim())}`;
        try {
          process.kill(-child.pid, 'SIGKILL'); // the file and what it started
        } catch {
          child.kill('SIGKILL');
        }
      }, idleSeconds * 1000);
    };
    watch();
    const take = (d) => {
      output += d;
      watch();
    };
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    child.on('close', (code, signal) => {
      running.delete(child.pid);
      clearTimeout(idle);
      const count = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(output)?.[1] ?? 0);
      resolveRun({ file, output, code, signal, cancelled, ms: Date.now() - started, pass: count('pass'), fail: count('fail'), skipped: count('skipped'), tests: count('tests') });
    });
  });
}

/** The files running now: an interrupted run stops them (they run in process groups of their own). */
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
    }
    process.exit(130);
  });
}

const results = [];
let next = 0;
async function worker() {
  while (next < files.length) {
    const file = files[next++];
    const r = await runFile(file);
    results.push(r);
    const ok = r.code === 0 && !r.cancelled;
    process.stdout.write(`# ---- ${name(file)}\n${r.output}${r.output.endsWith('\n') ? '' : '\n'}`);
    process.stdout.write(`# ${ok ? 'ok' : 'FAILED'} ${name(file)}: ${r.pass} passed, ${r.fail} failed, ${r.skipped} skipped in ${(r.ms / 1000).toFixed(1)} s` +
      `${r.cancelled ? `; cancelled: ${r.cancelled}` : ''} [${results.length}/${files.length}]\n`);
  }
}

const started = Date.now();
Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
  const failed = results.filter((r) => r.code !== 0 || r.cancelled);
  const sum = (k) => results.reduce((n, r) => n + r[k], 0);
  console.log(`\n# ${files.length} file(s), ${sum('tests')} test(s): ${sum('pass')} passed, ${sum('fail')} failed, ${sum('skipped')} skipped in ${((Date.now() - started) / 60000).toFixed(1)} min`);
  for (const r of failed) {
    const why = r.cancelled ? `cancelled: ${r.cancelled}` : r.fail ? `${r.fail} test(s) failed` : `exited with ${r.signal ?? `code ${r.code}`}`;
    console.log(`# FAILED ${name(r.file)}: ${why}. Alone: node scripts/test.js ${name(r.file).replace(/\.test\.js$/, '')}`);
  }
  process.exit(failed.length ? 1 : 0);
});
