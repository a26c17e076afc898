/**
 * The TechEmpower tests (plaintext, json, db, queries, fortunes, updates, cached queries) on PostgreSQL, for
 * stryke as production runs it (`stryke build`, then `stryke start --workers 1`, STRYKE_ENV=production) and
 * for what users would pick instead: bare fastify + pg, Express + pg, NestJS (fastify adapter) + TypeORM.
 * Each implementation is validated as TechEmpower validates before it is measured; all run at once, and each
 * test measures them back to back in a rotating order (one under load at a time).
 *
 *   npm run bench:techempower                 # after `npx tsc -b`
 *   TE_SECONDS=5 TE_CONNECTIONS=16 TE_QUERIES=20 TE_ONLY=stryke,fastify TE_TESTS=db,fortunes npm run bench:techempower
 *
 * Writes docs/techempower.md (the table) and docs/images/techempower.svg (the chart). Express, NestJS and
 * TypeORM are installed in this folder only (`npm install` here on first run), never at the repository root.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { Pool } from 'pg';
import { buildForProduction, startArgs } from '../production';
import { REPO, freePort } from '../support';
import { DATABASE, PG, prepareDatabase } from './database';
import { barChart } from './chart';
import { validate } from './validate';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon = require('autocannon');

const HERE = join(REPO, 'benchmarks', 'techempower');
const SECONDS = Number(process.env.TE_SECONDS ?? 5);
const WARMUP = Number(process.env.TE_WARMUP ?? 2);
const ROUNDS = Number(process.env.TE_ROUNDS ?? 1);
const CONNECTIONS = Number(process.env.TE_CONNECTIONS ?? 16);
const QUERIES = Number(process.env.TE_QUERIES ?? 20);
const WRITE_DOCS = process.env.TE_WRITE_DOCS !== '0';

const FRAMEWORKS = ['stryke', 'fastify', 'express', 'nest'] as const;
type Framework = (typeof FRAMEWORKS)[number];
const LABEL: Record<Framework, string> = { stryke: 'stryke', fastify: 'fastify + pg', express: 'Express + pg', nest: 'NestJS + TypeORM' };

const TESTS = [
  { name: 'plaintext', path: '/plaintext' },
  { name: 'json', path: '/json' },
  { name: 'db', path: '/db' },
  { name: 'queries', path: `/queries?queries=${QUERIES}` },
  { name: 'fortunes', path: '/fortunes' },
  // Before updates: a round's updates leave PostgreSQL busy, which the next test's misses would wait on.
  { name: 'cached queries', path: `/cached-queries?count=${QUERIES}` },
  { name: 'updates', path: `/updates?queries=${QUERIES}` },
];

const pick = (v: string | undefined, all: readonly string[]) => (v ? v.split(',').map((s) => s.trim()) : [...all]);
const ONLY = pick(process.env.TE_ONLY, FRAMEWORKS) as Framework[];
const ONLY_TESTS = pick(process.env.TE_TESTS, TESTS.map((t) => t.name.replace(' ', '-')));

function installPeers(): void {
  if (existsSync(join(HERE, 'node_modules', 'express')) && existsSync(join(HERE, 'node_modules', '@nestjs', 'platform-fastify'))) return;
  console.log('# npm install in benchmarks/techempower (Express, NestJS, TypeORM; this folder only)');
  const res = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: HERE, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('npm install in benchmarks/techempower failed');
}

async function waitUp(base: string, child: ChildProcess, name: string): Promise<void> {
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  for (let i = 0; i < 600; i++) {
    if (exited !== null) throw new Error(`${name} exited with ${exited} before answering`);
    try {
      if ((await fetch(`${base}/json`)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not answer /json within 60 s`);
}

let strykeBuild: string | undefined;

async function start(fw: Framework, port: number): Promise<ChildProcess> {
  const env = { ...process.env, TE_DATABASE: DATABASE, TE_PGHOST: PG.host, TE_PGUSER: PG.user, NODE_ENV: 'production' };
  let child: ChildProcess;
  if (fw === 'stryke') {
    strykeBuild ??= buildForProduction(join(HERE, 'app'));
    child = spawn(process.execPath, startArgs(strykeBuild, port), { env: { ...env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64) }, stdio: ['ignore', 'ignore', 'inherit'] });
  } else {
    child = spawn(process.execPath, [join(HERE, 'peers', `${fw}.js`), String(port)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  await waitUp(`http://127.0.0.1:${port}`, child, fw);
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/**
 * CPU time (user + system, in clock ticks of 10 ms) of a process and all its descendants, from /proc: for stryke
 * the `stryke start` primary and its worker. A figure less swayed by a loaded machine than req/s.
 */
function treeTicks(root: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* gone meanwhile */
    }
  }
  let total = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    total += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) todo.push(child);
  }
  return total;
}

interface Measured {
  rps: number;
  p99: number;
  errors: number;
  /** Server CPU per request, in microseconds (every process of the server). */
  cpu: number;
}

async function load(url: string, seconds: number, pid?: number): Promise<Measured> {
  const before = pid ? treeTicks(pid) : 0;
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  const ticks = pid ? treeTicks(pid) - before : 0;
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.non2xx + r.errors + r.timeouts, cpu: (ticks * 10_000) / Math.max(1, r.requests.total) };
}

/** The chart's second line: how it was measured, and that a loaded machine makes it noisy. */
function chartNote(seconds = SECONDS, rounds = ROUNDS, connections = CONNECTIONS): string {
  return `scaled to each test's fastest; ${seconds} s, ${rounds === 1 ? '1 round' : `median of ${rounds} rounds`}, ${connections} conns; loaded shared machine: noisy`;
}

async function main(): Promise<void> {
  installPeers();
  await prepareDatabase();
  const pool = new Pool({ ...PG, database: DATABASE, max: 2 });
  const results = new Map<string, Measured>();
  const notes: string[] = [];
  const loadBefore = loadavg()[0]!.toFixed(1);
  // Every server up at once (idle ones cost little), then test by test the frameworks back to back, in an order
  // that rotates: a load spike from elsewhere on the shared machine then falls on all of them alike.
  const running = new Map<Framework, { child: ChildProcess; base: string }>();
  try {
    for (const fw of ONLY) {
      const port = await freePort();
      const child = await start(fw, port);
      running.set(fw, { child, base: `http://127.0.0.1:${port}` });
      const { warnings } = await validate(`http://127.0.0.1:${port}`, pool);
      console.log(`# ${LABEL[fw]}: validated${warnings.length ? ` (${warnings.join('; ')})` : ''}`);
      if (warnings.length) notes.push(`${LABEL[fw]}: ${warnings.join('; ')}`);
    }
    let turn = 0;
    const rounds = new Map<string, Measured[]>();
    for (let round = 0; round < ROUNDS; round++) for (const test of TESTS) {
      if (!ONLY_TESTS.includes(test.name.replace(' ', '-'))) continue;
      const order = ONLY.map((_, i) => ONLY[(i + turn) % ONLY.length]!);
      turn++;
      for (const fw of order) {
        const { base, child } = running.get(fw)!;
        if (WARMUP > 0 && round === 0) await load(base + test.path, WARMUP);
        const r = await load(base + test.path, SECONDS, child.pid);
        const key = `${fw}|${test.name}`;
        rounds.set(key, [...(rounds.get(key) ?? []), r]);
        // The median round (by throughput) stands for the framework on this test.
        const sorted = [...rounds.get(key)!].sort((a, b) => a.rps - b.rps);
        results.set(key, sorted[(sorted.length - 1) >> 1]!);
        console.log(`# ${LABEL[fw]} ${test.name}: ${Math.round(r.rps)} req/s, ${Math.round(r.cpu)} µs CPU/req, p99 ${r.p99} ms${r.errors ? `, ${r.errors} errors` : ''}`);
      }
    }
  } finally {
    for (const { child } of running.values()) await stop(child);
    await pool.end();
    if (strykeBuild) rmSync(dirname(strykeBuild), { recursive: true, force: true });
  }
  const loadAfter = loadavg()[0]!.toFixed(1);
  const tests = TESTS.filter((t) => ONLY_TESTS.includes(t.name.replace(' ', '-')));
  const setting = `${SECONDS} s per test after ${WARMUP} s warm-up, ${ROUNDS === 1 ? '1 round' : `median of ${ROUNDS} rounds`}, ${CONNECTIONS} connections, ${QUERIES} queries where a test takes a count; node ${process.version}, ${cpus().length} cores shared with other work, load average ${loadBefore} before and ${loadAfter} after`;
  const others = ONLY.filter((f) => f !== 'stryke');
  const head = `| test | ${ONLY.map((fw) => `${LABEL[fw]} req/s`).join(' | ')} | ${others.map((fw) => `stryke / ${LABEL[fw]}`).join(' | ')} |`;
  const lines = [head, `| --- | ${ONLY.map(() => '---:').join(' | ')} | ${others.map(() => '---:').join(' | ')} |`];
  const cpuHead = `| test | ${ONLY.map((fw) => `${LABEL[fw]} µs/req`).join(' | ')} | ${others.map((fw) => `${LABEL[fw]} / stryke`).join(' | ')} |`;
  const cpuLines = [cpuHead, lines[1]!];
  for (const t of tests) {
    const s = results.get(`stryke|${t.name}`);
    const cells = ONLY.map((fw) => {
      const r = results.get(`${fw}|${t.name}`);
      return r ? `${Math.round(r.rps).toLocaleString('en-US')}${r.errors ? ` (${r.errors} errors)` : ''}` : '-';
    });
    const ratios = others.map((fw) => {
      const o = results.get(`${fw}|${t.name}`);
      return s && o ? `${(s.rps / o.rps).toFixed(2)}x` : '-';
    });
    lines.push(`| ${t.name} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
    const cpuCells = ONLY.map((fw) => {
      const r = results.get(`${fw}|${t.name}`);
      return r ? Math.round(r.cpu).toLocaleString('en-US') : '-';
    });
    // Another's CPU per request over stryke's: above 1, stryke does the request with less CPU.
    const cpuRatios = others.map((fw) => {
      const o = results.get(`${fw}|${t.name}`);
      return s && o && s.cpu > 0 ? `${(o.cpu / s.cpu).toFixed(2)}x` : '-';
    });
    cpuLines.push(`| ${t.name} | ${cpuCells.join(' | ')} | ${cpuRatios.join(' | ')} |`);
  }
  const table = `Throughput (median round):\n\n${lines.join('\n')}\n\nServer CPU time (user + system, every process of the server) per request, in µs, the same rounds; the ratio is the\nother's over stryke's, so above 1 means stryke spent less CPU on a request:\n\n${cpuLines.join('\n')}`;
  console.log(`\n${setting}\n\n${table}\n`);
  if (!WRITE_DOCS) return;
  const doc = [
    '# TechEmpower tests: the latest run',
    '',
    'Written by `npm run bench:techempower` (benchmarks/techempower/run.ts); see [performance](performance.md#the-techempower-tests) for what is measured and how to read it.',
    '',
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${setting}. **The machine was shared and loaded: wall-clock figures are noisy, read the ratios as rough.**`,
    '',
    table,
    '',
    ...(notes.length ? ['Validation warnings (TechEmpower warns, does not fail):', '', ...notes.map((n) => `- ${n}`), ''] : []),
    '![TechEmpower tests, requests per second](images/techempower.svg)',
    '',
  ].join('\n');
  writeFileSync(join(REPO, 'docs', 'techempower.md'), doc);
  mkdirSync(join(REPO, 'docs', 'images'), { recursive: true });
  writeFileSync(
    join(REPO, 'docs', 'images', 'techempower.svg'),
    barChart('TechEmpower tests on PostgreSQL: requests per second (longer is better)', chartNote(), tests.map((t) => t.name), ONLY, (test, fw) => results.get(`${fw}|${test}`)?.rps, (fw) => LABEL[fw as Framework]),
  );
  console.log('Wrote docs/techempower.md and docs/images/techempower.svg');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
