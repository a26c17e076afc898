/**
 * User-space instructions per job of one phase of the jobs benchmark (run.ts), under valgrind's callgrind:
 * the phase runs once to warm up, then again with instrumentation on (toggled by the process itself with
 * `callgrind_control`). Unlike run.ts's throughput this hardly moves with the load on the machine; it leaves
 * out the kernel's work (fsyncs, socket I/O) and the database server's, so on MySQL/MariaDB it counts the
 * client only. Slow: 2,000 SQLite jobs take several minutes.
 *
 *   node build/benchmarks/jobs/instructions.js [--jobs 2000] [--phase enqueue-and-process|process|addBulk] [--only sqlite|mysql]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker, type BackendFactory } from 'bullmq';
import { createMysqlBackend, createSqliteBackend } from 'stryke/jobs';

const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const JOBS = Number(flag('jobs', '2000'));
const PHASE = flag('phase', 'enqueue-and-process');
const ONLY = flag('only', 'sqlite');

function callgrind(...a: string[]): Promise<void> {
  return new Promise((resolve) => spawn('callgrind_control', [...a, String(process.pid)], { stdio: 'ignore' }).on('exit', () => resolve()));
}

async function child(): Promise<void> {
  let opts: Record<string, any>;
  let factory: BackendFactory<any, any>;
  let drop: () => Promise<void>;
  if (ONLY === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'stryke-jobs-callgrind-'));
    opts = { connection: { filename: join(dir, 'jobs.sqlite3') } };
    factory = createSqliteBackend;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const mysql = await import('mysql2/promise');
    const admin = await mysql.createConnection({ host: '127.0.0.1', user: 'root', password: '' });
    const db = `stryke_jobs_callgrind_${process.pid}`;
    await admin.query(`CREATE DATABASE ${db}`);
    opts = { connection: { host: '127.0.0.1', user: 'root', password: '', database: db, connectionLimit: 20 } };
    factory = createMysqlBackend;
    drop = async () => {
      await admin.query(`DROP DATABASE ${db}`);
      await admin.end();
    };
  }
  const round = async (tag: string, measured: boolean) => {
    const q = new Queue(`cg-${tag}`, opts as any, factory as any);
    await q.waitUntilReady();
    const bulk = (size: number) => async () => {
      for (let i = 0; i < JOBS; i += size) await q.addBulk(Array.from({ length: Math.min(size, JOBS - i) }, (_, k) => ({ name: 'job', data: { i: i + k } })));
    };
    const work = (during?: () => Promise<void>) => new Promise<void>((resolve) => {
      let done = 0;
      const w = new Worker(q.name, async () => 1, { ...opts, concurrency: 16, removeOnComplete: { count: 1000 } } as any, factory as any);
      w.on('completed', () => {
        if (++done === JOBS) void w.close().then(() => resolve());
      });
      if (during) void during();
    });
    if (PHASE === 'process') await bulk(500)();
    if (measured) await callgrind('-i', 'on');
    if (PHASE === 'addBulk') await bulk(500)();
    else if (PHASE === 'process') await work();
    else await work(bulk(100));
    if (measured) {
      await callgrind('-i', 'off');
      await callgrind('-d');
    }
    await q.close();
  };
  await round('warm', false);
  await round('measured', true);
  await drop();
  process.exit(0);
}

async function main(): Promise<void> {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    console.log('valgrind is not installed (apt-get install valgrind): nothing measured.');
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'stryke-jobs-callgrind-out-'));
  try {
    const load = loadavg()[0]!.toFixed(1);
    const r = spawnSync('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${join(out, 'cg.%p')}`,
      process.execPath, __filename, '--child', ...args], { cwd: out, stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, STRYKE_ENV: 'production' } });
    const dump = readdirSync(out).find((f) => /^cg\.\d+\.\d+$/.test(f));
    const totals = dump && /^totals:\s+(\d+)/m.exec(readFileSync(join(out, dump), 'utf8'));
    if (!totals) throw new Error(`no callgrind totals (exit ${r.status}): ${String(r.stderr).slice(-2000)}`);
    console.log(`${ONLY} ${PHASE}, ${JOBS} jobs after as many to warm up (load average ${load} at the start): ${Math.round(Number(totals[1]) / JOBS)} instructions per job`);
    if (process.env.KEEP_CALLGRIND) console.log(`callgrind output: ${join(out, dump)}`);
  } finally {
    if (!process.env.KEEP_CALLGRIND) rmSync(out, { recursive: true, force: true });
  }
}

(args.includes('--child') ? child() : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
