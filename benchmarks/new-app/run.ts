/**
 * `stryke new` to a working CRUD page: the time from `stryke new blog` through
 * `stryke generate scaffold Post title:string body:text`, `stryke db migrate` and `stryke start` to the
 * first 200 from /posts, each step timed, in a fresh temporary folder per round.
 *
 *   node build/benchmarks/new-app/run.js [--rounds 3] [--json]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, BIN, freePort } from '../support';

const STEPS = ['new', 'generate scaffold', 'db migrate', 'start to first 200'] as const;

/** A user's shell: development, no test runner context, no colour. */
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'development', DATABASE_URL: '' };
delete env.NODE_TEST_CONTEXT;

function timed(cwd: string, cmd: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${args.join(' ')} failed:\n${res.stdout}${res.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Starts `stryke start` and polls /posts until it answers 200; returns the milliseconds from spawn. */
async function startToFirst200(root: string): Promise<number> {
  const port = await freePort();
  const t = process.hrtime.bigint();
  const child = spawn(join(root, 'node_modules', '.bin', 'stryke'), ['start', '--port', String(port), '--host', '127.0.0.1'], {
    cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`stryke start exited:\n${output}`);
      if (Number(process.hrtime.bigint() - t) / 1e6 > 120_000) throw new Error(`no 200 from /posts in 120 s:\n${output}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/posts`);
        if (res.status === 200) return Number(process.hrtime.bigint() - t) / 1e6;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

async function round(): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-bench-new-'));
  const root = join(dir, 'blog');
  const npx = join(root, 'node_modules', '.bin', 'stryke');
  try {
    return [
      timed(dir, process.execPath, [BIN, 'new', 'blog']),
      timed(root, npx, ['generate', 'scaffold', 'Post', 'title:string', 'body:text']),
      timed(root, npx, ['db', 'migrate']),
      await startToFirst200(root),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const rounds = arg('rounds', 3);
  const results: number[][] = [];
  for (let i = 0; i < rounds; i++) {
    const r = await round();
    results.push(r);
    if (!process.argv.includes('--json')) console.log(`round ${i + 1}: ${r.map((ms) => (ms / 1000).toFixed(2)).join(' + ')} = ${(r.reduce((a, b) => a + b) / 1000).toFixed(2)} s`);
  }
  const steps = STEPS.map((name, i) => ({ step: name, medianMs: Math.round(median(results.map((r) => r[i]!))) }));
  const totals = results.map((r) => r.reduce((a, b) => a + b));
  const summary = { node: process.version, cores: cpus().length, rounds, steps, totalMedianMs: Math.round(median(totals)), totalsMs: totals.map(Math.round), targetMs: 30_000 };
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  console.log(`\n| step | median s |\n| --- | ---: |`);
  for (const s of steps) console.log(`| ${s.step} | ${(s.medianMs / 1000).toFixed(2)} |`);
  console.log(`| **total** | **${(summary.totalMedianMs / 1000).toFixed(2)}** |`);
  console.log(`\n${rounds} rounds on ${summary.cores} cores, Node.js ${process.version}; target under 30 s.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
