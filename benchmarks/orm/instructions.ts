/**
 * User-space instructions per operation of each contender of the ORM benchmark (run.ts), under valgrind's
 * callgrind: each contender runs in a process of its own, instrumented only around a burst of operations
 * after a warm-up burst of the same size. Unlike run.ts's throughput this does not move with the load on
 * the machine, so it is the steady companion of the ratios there. The burst needs to be long: with 2,000
 * operations the window still holds much of the JIT's compiling (on its own threads, counted too), and
 * PostgreSQL's find read 246,000 instructions where 10,000 operations read 99,500; at 10,000 an A/B of one
 * change reads the same within about 1%. It leaves out the kernel's work (the socket reads and writes to PostgreSQL, the same for every
 * contender) and the database server's, so on PostgreSQL its ratios are wider than the throughput's.
 *
 *   node build/benchmarks/orm/instructions.js [--ops 10000] [--only sqlite|postgres] [--case find|where|includes] [--kinds stryke,typeorm]
 *
 * KEEP_CALLGRIND=1 keeps each process's callgrind output (for callgrind_annotate) and prints where; node then
 * writes /tmp/perf-<pid>.map, which names the JIT's code addresses in that output.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConfig, contenders, pgReachable, type Kind } from './run';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const OPS = Number(option('ops') ?? 10000);
const ONLY = option('only');
const CASES = option('case') ? [option('case')!] : ['find', 'where', 'includes'];
const KINDS = (option('kinds')?.split(',') ?? ['raw', 'stryke', 'typeorm']) as Kind[];

function message(child: ReturnType<typeof spawn>, expected: string, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the measured process exited with ${code}: ${stderr().slice(-2000)}`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      if (m === expected) resolve();
      else reject(new Error(`expected ${expected}, got ${String(m)}`));
    });
  });
}

/** Instructions per operation of one contender. */
async function measure(adapter: string, database: string, kase: string, kind: Kind): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'stryke-orm-callgrind-'));
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${join(out, 'cg.%p')}`,
    process.execPath, ...(process.env.KEEP_CALLGRIND ? ['--perf-basic-prof'] : []), join(__dirname, 'instructions-child.js'), adapter, database, kase, kind, String(OPS)], {
    env: { ...process.env, STRYKE_ENV: 'production' },
    // In the output's folder: node's --perf-basic-prof writes a V8 log to the working directory too.
    cwd: out,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    await message(child, 'warm', () => stderr);
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    const done = message(child, 'done', () => stderr);
    child.send('go');
    await done;
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    const dump = readdirSync(out).find((f) => /\.\d+$/.test(f) && f !== `cg.${child.pid}`);
    const totals = dump && /^totals:\s+(\d+)/m.exec(readFileSync(join(out, dump), 'utf8'));
    if (!totals) throw new Error(`no callgrind totals in ${out}`);
    return Number(totals[1]) / OPS;
  } finally {
    child.kill('SIGKILL');
    if (process.env.KEEP_CALLGRIND) console.log(`# callgrind output of ${adapter} ${kase} ${kind}: ${out}`);
    else rmSync(out, { recursive: true, force: true });
  }
}

async function main() {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    console.log('valgrind is not installed (apt-get install valgrind): nothing measured.');
    return;
  }
  process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
  const targets: ('sqlite' | 'postgres')[] = [];
  if (!ONLY || ONLY === 'sqlite') targets.push('sqlite');
  if ((!ONLY || ONLY === 'postgres') && (await pgReachable())) targets.push('postgres');
  const rows: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'stryke-orm-instructions-'));
  try {
    for (const adapter of targets) {
      const config = benchConfig(adapter, dir);
      // This process makes and seeds the database (and checks the contenders agree); the measured ones only read it.
      const bench = await contenders(config, { create: true });
      try {
        for (const kase of CASES) {
          // Two at a time, one per core: valgrind runs each process's threads one at a time anyway.
          const counts = new Map<Kind, number>();
          for (let i = 0; i < KINDS.length; i += 2) {
            const pair = KINDS.slice(i, i + 2);
            const got = await Promise.all(pair.map((k) => measure(adapter, config.database, kase, k)));
            pair.forEach((k, j) => counts.set(k, got[j]!));
          }
          const cell = (k: Kind) => (counts.has(k) ? String(Math.round(counts.get(k)!)) : '-');
          const ratio = (a: Kind, b: Kind) => (counts.has(a) && counts.has(b) ? `${(counts.get(b)! / counts.get(a)!).toFixed(2)}x` : '-');
          const row = `| ${adapter} | ${kase} | ${cell('raw')} | ${cell('typeorm')} | ${cell('stryke')} | ${ratio('stryke', 'raw')} | ${ratio('stryke', 'typeorm')} |`;
          console.log(row);
          rows.push(row);
        }
      } finally {
        await bench.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nUser-space instructions per operation under callgrind, ${OPS} operations after as many to warm up (node ${process.version}).`);
  console.log('A ratio is the other\'s count over stryke\'s: above 1, stryke runs fewer instructions.\n');
  console.log('| database | case | raw driver | TypeORM Repository | stryke | raw / stryke | TypeORM / stryke |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
