/**
 * TechEmpower's database tests through stryke's model layer and views against bare fastify with the raw
 * driver, one server process each, over the same tables, measured side by side in one run with autocannon
 * (the load generator runs in this process, on the other core). Rounds alternate between the two so drift
 * in the machine affects both alike.
 *
 * - /db:                 one random World row as JSON (`World.find(id)` against a prepared statement)
 * - /queries?queries=20: 20 random rows, a query each
 * - /multi:              20 rows read by one query (`World.where(...).order('id').limit(20)`)
 * - /fortunes:           the Fortune rows plus one added at request time, sorted, as an escaped HTML table
 *
 * SQLite (a file in WAL mode) always; PostgreSQL at 127.0.0.1:5432 when reachable. Both servers' answers
 * are checked against the seeded rows (and each other) before anything is measured. Besides req/s, each
 * server's CPU time per request: on a 2-core machine the load generator often cannot saturate the server
 * (it then idles part of the time and the req/s ratio reads closer to 1 than the work done); CPU per
 * request does not depend on that. instructions.ts counts the same on SQLite under callgrind.
 *
 *   node build/benchmarks/http-db/run.js [--seconds 5] [--rounds 2] [--connections 64] [--only sqlite|postgres] [--path /db]
 */
import { once } from 'node:events';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createDatabase, dropDatabase } from 'stryke/migrations';
import type { DatabaseConfig } from 'stryke/orm';
import { PG, pgReachable } from '../orm/run';
import { arg, pairedRatios } from '../support';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon = require('autocannon');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const BetterSqlite3 = require('better-sqlite3') as new (file: string) => {
  exec(sql: string): void;
  pragma(sql: string): unknown;
  prepare(sql: string): { run(...binds: unknown[]): unknown };
  transaction(fn: () => void): () => void;
  close(): void;
};

const SECONDS = arg('seconds', 5);
const ROUNDS = arg('rounds', 2);
const CONNECTIONS = arg('connections', 64);
const QUERIES = 20;
const option = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : '';
};
const ONLY = option('only');
const PATH = option('path');

/** Each test's path, and the share of bare fastify's rate stryke is to reach (the mission's targets). */
export const TESTS: { path: string; target?: number }[] = [
  { path: '/db', target: 0.9 },
  { path: `/queries?queries=${QUERIES}` },
  { path: '/multi', target: 0.85 },
  { path: '/fortunes', target: 0.85 },
];

/** TechEmpower's fortunes, the `<script>` one included (its escaping is part of the test). */
const FORTUNES = [
  'fortune: No such file or directory',
  "A computer scientist is someone who fixes things that aren't broken.",
  'After enough decimal places, nobody gives a damn.',
  'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1',
  'A computer program does what you tell it to do, not what you want it to do.',
  'Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen',
  'Any program that runs right is obviously correct.',
  'A list is only as strong as its weakest link. — Donald Knuth',
  'Feature: A bug with seniority.',
  'Computers make very fast, very accurate mistakes.',
  '<script>alert("This should not be displayed in a browser alert box.");</script>',
  'フレームワークのベンチマーク',
];
const ESCAPED_SCRIPT = '&lt;script&gt;alert(&quot;This should not be displayed in a browser alert box.&quot;);&lt;/script&gt;';
const ROWS = 10_000;

/** World's random numbers (index id - 1), the same for both databases: the answers are checked against them. */
const randomNumbers = Array.from({ length: ROWS }, () => Math.floor(Math.random() * ROWS) + 1);

const DDL = [
  'DROP TABLE IF EXISTS world',
  'DROP TABLE IF EXISTS fortune',
  'CREATE TABLE world (id integer PRIMARY KEY, "randomNumber" integer NOT NULL)',
  'CREATE TABLE fortune (id integer PRIMARY KEY, message varchar(2048) NOT NULL)',
];

export async function seed(config: DatabaseConfig): Promise<void> {
  if (config.adapter === 'sqlite') {
    const db = new BetterSqlite3(config.database);
    db.pragma('journal_mode = WAL');
    for (const sql of DDL) db.exec(sql);
    const world = db.prepare('INSERT INTO world (id, "randomNumber") VALUES (?, ?)');
    const fortune = db.prepare('INSERT INTO fortune (id, message) VALUES (?, ?)');
    db.transaction(() => {
      randomNumbers.forEach((n, i) => world.run(i + 1, n));
      FORTUNES.forEach((m, i) => fortune.run(i + 1, m));
    })();
    db.close();
    return;
  }
  const pool = new Pool({ host: config.host, port: config.port, user: config.username, password: config.password, database: config.database, max: 1 });
  try {
    for (const sql of DDL) await pool.query(sql);
    await pool.query('INSERT INTO world (id, "randomNumber") SELECT * FROM unnest($1::int[], $2::int[])', [randomNumbers.map((_, i) => i + 1), randomNumbers]);
    await pool.query('INSERT INTO fortune (id, message) SELECT * FROM unnest($1::int[], $2::text[])', [FORTUNES.map((_, i) => i + 1), FORTUNES]);
    await pool.query('ANALYZE world; ANALYZE fortune');
  } finally {
    await pool.end();
  }
}

function start(kind: string, port: number, config: DatabaseConfig): Promise<ChildProcess> {
  return new Promise((resolveStart, reject) => {
    const child = fork(join(__dirname, 'server.js'), [kind, String(port)], {
      env: { ...process.env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64), BENCH_DB: JSON.stringify(config) },
    });
    child.once('message', () => resolveStart(child));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

/** A World row as the tests define it: exactly `{ id, randomNumber }`, as seeded. */
function checkWorld(w: any, where: string): void {
  if (!w || typeof w !== 'object' || Object.keys(w).join() !== 'id,randomNumber' || randomNumbers[w.id - 1] !== w.randomNumber) {
    throw new Error(`${where}: not a seeded World row: ${JSON.stringify(w)}`);
  }
}

async function get(base: string, path: string, type: string): Promise<string> {
  const res = await fetch(`${base}${path}`);
  const body = await res.text();
  if (res.status !== 200 || !res.headers.get('content-type')?.startsWith(type)) throw new Error(`${base}${path}: ${res.status} ${res.headers.get('content-type')}: ${body.slice(0, 200)}`);
  return body;
}

/** Every route of one server, checked against the seeded rows; gives its fortunes page with whitespace between tags removed. */
export async function check(base: string): Promise<string> {
  checkWorld(JSON.parse(await get(base, '/db', 'application/json')), `${base}/db`);
  for (const [query, count] of [[`?queries=${QUERIES}`, QUERIES], ['', 1], ['?queries=x', 1], ['?queries=0', 1], ['?queries=501', 500]] as const) {
    const list = JSON.parse(await get(base, `/queries${query}`, 'application/json'));
    if (!Array.isArray(list) || list.length !== count) throw new Error(`${base}/queries${query}: expected ${count} rows`);
    for (const w of list) checkWorld(w, `${base}/queries${query}`);
  }
  const multi = JSON.parse(await get(base, '/multi', 'application/json'));
  if (!Array.isArray(multi) || multi.length !== 20 || multi.some((w: any, i: number) => w.id !== multi[0].id + i)) throw new Error(`${base}/multi: expected 20 consecutive rows`);
  for (const w of multi) checkWorld(w, `${base}/multi`);
  const page = (await get(base, '/fortunes', 'text/html')).replace(/>\s+</g, '><').trim();
  const rows = page.match(/<tr><td>\d+<\/td><td>[^<]*<\/td><\/tr>/g) ?? [];
  if (!page.startsWith('<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>')
    || rows.length !== FORTUNES.length + 1 || !page.includes(`<td>${ESCAPED_SCRIPT}</td>`) || !page.includes('<td>0</td><td>Additional fortune added at request time.</td>')) {
    throw new Error(`${base}/fortunes: not the fortunes table:\n${page}`);
  }
  return page;
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  /** The server's CPU time (user + system) per request, in microseconds. */
  cpu: number;
}

/** A server's CPU time so far, in microseconds (it answers the parent's 'cpu' message). */
function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((done) => {
    const on = (m: any) => {
      if (!m?.cpu) return;
      child.off('message', on);
      done(m.cpu.user + m.cpu.system);
    };
    child.on('message', on);
    child.send('cpu');
  });
}

async function load(url: string, seconds: number, server: ChildProcess): Promise<Result> {
  const before = await cpuOf(server);
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  const cpu = (await cpuOf(server)) - before;
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpu: cpu / r.requests.total };
}

/** The fixed CPU loop timed in this process: how fast the machine was, to read the figures by. */
function cpuLoopMs(): number {
  const t = Date.now();
  let x = 0;
  for (let i = 0; i < 3e8; i++) x += i % 7;
  if (x < 0) console.log(x);
  return Date.now() - t;
}

async function benchDatabase(config: DatabaseConfig): Promise<Record<string, Record<string, Result[]>>> {
  const ports = { fastify: 38201, stryke: 38202 };
  const results: Record<string, Record<string, Result[]>> = {};
  for (const { path } of TESTS) {
    if (PATH && !path.startsWith(PATH)) continue;
    // A fresh pair of servers per path, as in benchmarks/http/run.ts: a server that has served a minute of
    // alternating load says less about the next path.
    const servers = { fastify: await start('fastify', ports.fastify, config), stryke: await start('stryke', ports.stryke, config) };
    try {
      const [f, s] = [await check(`http://127.0.0.1:${ports.fastify}`), await check(`http://127.0.0.1:${ports.stryke}`)];
      if (f !== s) throw new Error(`${config.adapter}: the fortunes pages differ:\nfastify: ${f}\nstryke:  ${s}`);
      for (const kind of ['fastify', 'stryke'] as const) await load(`http://127.0.0.1:${ports[kind]}${path}`, 1, servers[kind]); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        // Pairs of rounds, adjacent in time; which side goes first alternates, so drift favours neither.
        for (const kind of round % 2 === 0 ? (['fastify', 'stryke'] as const) : (['stryke', 'fastify'] as const)) {
          const r = await load(`http://127.0.0.1:${ports[kind]}${path}`, SECONDS, servers[kind]);
          ((results[path] ??= {})[kind] ??= []).push(r);
        }
      }
    } finally {
      for (const s of Object.values(servers)) s.kill();
      await Promise.all(Object.values(servers).map((s) => (s.exitCode === null && s.signalCode === null ? once(s, 'exit') : undefined)));
    }
  }
  return results;
}

async function main() {
  process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
  const root = join(__dirname, '..', '..', '..', 'benchmarks', 'http-db', 'app');
  const dir = mkdtempSync(join(tmpdir(), 'stryke-bench-http-db-'));
  const configs: DatabaseConfig[] = [];
  if (!ONLY || ONLY === 'sqlite') configs.push({ adapter: 'sqlite', database: join(dir, 'bench.sqlite3') });
  if (!ONLY || ONLY === 'postgres') {
    if (await pgReachable()) configs.push({ adapter: 'postgres', database: `stryke_bench_http_db_${process.pid}`, ...PG });
    else console.log('# skipping postgres: unreachable at 127.0.0.1:5432');
  }
  const cpuBefore = cpuLoopMs();
  const rows: string[] = [];
  const mean = (rs: Result[], k: keyof Result) => rs.reduce((a, r) => a + r[k], 0) / rs.length;
  try {
    for (const config of configs) {
      if (config.adapter === 'postgres') await createDatabase(config, root);
      try {
        await seed(config);
        const results = await benchDatabase(config);
        for (const { path, target } of TESTS) {
          const byKind = results[path];
          if (!byKind) continue;
          const f = byKind.fastify!;
          const s = byKind.stryke!;
          const ratio = mean(s, 'rps') / mean(f, 'rps');
          const { median, min, max } = pairedRatios(s.map((r) => r.rps), f.map((r) => r.rps));
          const spread = `${min.toFixed(2)}-${max.toFixed(2)}`;
          const met = target === undefined ? '-' : ratio >= target && median >= target ? `${target}x: yes` : ratio < target && median < target ? `${target}x: no` : `${target}x: one of two`;
          const cpu = `${mean(f, 'cpu').toFixed(1)} / ${mean(s, 'cpu').toFixed(1)} (${(mean(f, 'cpu') / mean(s, 'cpu')).toFixed(2)}x)`;
          rows.push(`| ${config.adapter} | ${path} | ${Math.round(mean(f, 'rps'))} | ${Math.round(mean(s, 'rps'))} | ${ratio.toFixed(3)}x | ${median.toFixed(3)}x (${spread}) | ${cpu} | ${mean(f, 'p50').toFixed(1)} / ${mean(f, 'p99').toFixed(1)} | ${mean(s, 'p50').toFixed(1)} / ${mean(s, 'p99').toFixed(1)} | ${met} |`);
          console.log(`# ${config.adapter} ${path}: fastify ${Math.round(mean(f, 'rps'))} req/s, stryke ${Math.round(mean(s, 'rps'))} req/s`);
        }
      } finally {
        if (config.adapter === 'postgres') await dropDatabase(config, root).catch(() => undefined);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cpuAfter = cpuLoopMs();
  console.log(`\nHTTP + database: 1 server process each, ${CONNECTIONS} connections, ${ROUNDS} x ${SECONDS}s rounds (node ${process.version}); CPU loop ${cpuBefore} ms before, ${cpuAfter} ms after\n`);
  console.log('Targets: /db at least 0.9x bare fastify with the raw driver, /multi and /fortunes at least 0.85x; met when both ratios reach it.\n');
  console.log('Server CPU is user + system time of the server process per request, fastify / stryke (in brackets fastify\'s over stryke\'s: the\nthroughput ratio a saturated server would show); it leaves out the database server\'s work (PostgreSQL\'s runs elsewhere).\n');
  console.log('| database | test | bare fastify req/s | stryke req/s | ratio of means | median paired ratio (min-max) | server CPU µs/req | fastify p50/p99 ms | stryke p50/p99 ms | target met |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

// Run as a script; required (by instructions.ts), it only lends the seeding and the checks.
if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
