/**
 * Instructions per request on the TechEmpower tests, stryke (production: `stryke build`, `stryke start
 * --workers 1`, its worker under callgrind) against bare fastify + pg and NestJS + TypeORM (each server process
 * under callgrind), on PostgreSQL. Each server boots once; for each test a warm-up burst, then a counted burst of
 * the same size (instrumentation on only around it). PostgreSQL's own work runs in its processes, which callgrind
 * does not see: the counts are the framework, driver and app side of a request. They do not move with the load on
 * the machine, which throughput does. Only the main thread is counted (V8's compiler and GC threads run as much as
 * the window's wall time allows, which swings with the load).
 *
 *   node build/benchmarks/techempower/instructions.js [--requests 2000] [--heavy 300]
 *   TE_ONLY=stryke,fastify TE_TESTS=db,fortunes node build/benchmarks/techempower/instructions.js
 */
import { appendFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { instructionsPerPath, valgrindAvailable, type ServerUnderCallgrind } from '../callgrind-server';
import { buildForProduction, startArgs } from '../production';
import { REPO, arg, freePort } from '../support';
import { DATABASE, PG, prepareDatabase } from './database';

const HERE = join(REPO, 'benchmarks', 'techempower');
const REQUESTS = arg('requests', 2000);
/** Requests for the tests that make 20 queries each (queries, updates). */
const HEAVY = arg('heavy', 300);
const QUERIES = 20;

const FRAMEWORKS = ['stryke', 'fastify', 'nest'] as const;
type Framework = (typeof FRAMEWORKS)[number];
const LABEL: Record<Framework, string> = { stryke: 'stryke', fastify: 'fastify + pg', nest: 'NestJS + TypeORM' };
const TESTS = [
  { name: 'plaintext', path: '/plaintext', requests: REQUESTS },
  { name: 'json', path: '/json', requests: REQUESTS },
  { name: 'db', path: '/db', requests: REQUESTS },
  { name: 'queries', path: `/queries?queries=${QUERIES}`, requests: HEAVY },
  { name: 'fortunes', path: '/fortunes', requests: REQUESTS },
  { name: 'cached queries', path: `/cached-queries?count=${QUERIES}`, requests: REQUESTS },
  { name: 'updates', path: `/updates?queries=${QUERIES}`, requests: HEAVY },
];
const pick = (v: string | undefined, all: readonly string[]) => (v ? v.split(',').map((s) => s.trim()) : [...all]);
const ONLY = pick(process.env.TE_ONLY, FRAMEWORKS).filter((f) => (FRAMEWORKS as readonly string[]).includes(f)) as Framework[];
const ONLY_TESTS = pick(process.env.TE_TESTS, TESTS.map((t) => t.name.replace(' ', '-')));

/** The temporary folders of stryke's builds, removed at the end. */
const builds: string[] = [];

async function server(fw: Framework): Promise<ServerUnderCallgrind> {
  const port = await freePort();
  const env = { ...process.env, TE_DATABASE: DATABASE, TE_PGHOST: PG.host, TE_PGUSER: PG.user, NODE_ENV: 'production' };
  if (fw === 'stryke') {
    const root = buildForProduction(join(HERE, 'app'));
    builds.push(dirname(root));
    // Under valgrind a connection takes seconds to open: the default 5 s connect timeout would answer 503s.
    for (const dir of [root, join(root, 'dist')]) {
      if (existsSync(join(dir, 'config', 'database.toml'))) appendFileSync(join(dir, 'config', 'database.toml'), 'connect_timeout = 120\nacquire_timeout = 120\n');
    }
    const [script, ...args] = startArgs(root, port);
    return { label: fw, script: script!, args, port, env: { ...env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64) }, worker: { readyPath: '/json' }, mainThread: true };
  }
  return { label: fw, script: join(HERE, 'peers', `${fw}.js`), args: [String(port)], port, env, readyPath: '/json', mainThread: true };
}

async function main(): Promise<void> {
  if (!valgrindAvailable()) return;
  await prepareDatabase();
  const tests = TESTS.filter((t) => ONLY_TESTS.includes(t.name.replace(' ', '-')));
  const before = loadavg();
  const started = new Date();
  const counts = new Map<string, number>();
  // Two servers at a time (one a core): valgrind runs each process's threads one at a time anyway.
  const queue = [...ONLY];
  await Promise.all([0, 1].map(async () => {
    for (let fw = queue.shift(); fw; fw = queue.shift()) {
      const s = await server(fw);
      const per = await instructionsPerPath(s, tests.map((t) => ({ path: t.path, requests: t.requests })));
      tests.forEach((t, i) => counts.set(`${fw}|${t.name}`, per[i]!));
      console.log(`# ${fw}: ${tests.map((t, i) => `${t.name} ${Math.round(per[i]!)}`).join(', ')}`);
    }
  }));
  const after = loadavg();
  const peers = ONLY.filter((f) => f !== 'stryke');
  console.log(`\nTechEmpower tests, user-space instructions per request under callgrind (${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${REQUESTS} requests, ${HEAVY} for queries and updates, after as many to warm up; ${QUERIES} queries; node ${process.version}; load average ${before.map((l) => l.toFixed(1)).join(' ')} before, ${after.map((l) => l.toFixed(1)).join(' ')} after)\n`);
  console.log(`| test | ${ONLY.map((f) => `${LABEL[f]} instr/req`).join(' | ')} | ${peers.map((p) => `${LABEL[p]} / stryke`).join(' | ')} |`);
  console.log(`| --- | ${ONLY.map(() => '---:').join(' | ')} | ${peers.map(() => '---:').join(' | ')} |`);
  for (const t of tests) {
    const s = counts.get(`stryke|${t.name}`);
    const cells = ONLY.map((f) => Math.round(counts.get(`${f}|${t.name}`)!).toLocaleString('en-US'));
    const ratios = peers.map((p) => (s ? `${(counts.get(`${p}|${t.name}`)! / s).toFixed(2)}x` : ''));
    console.log(`| ${t.name} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const dir of builds) rmSync(dir, { recursive: true, force: true });
  });
