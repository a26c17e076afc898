/**
 * Boot, side by side in one run, rounds interleaved (the order rotates each round, so a machine that drifts
 * favours no one):
 *
 * - `stryke`: the sample app as production runs it: `stryke build`, `STRYKE_ENV=production stryke db prepare`,
 *   then `stryke start --workers 1 --env production` (its default config: a primary forking one worker);
 *   the first 200 is GET /posts (a page read from SQLite, rendered with its layout);
 * - `fastify-cluster`: a bare fastify hello world under the same shape (a primary forking one worker, SCHED_NONE);
 * - `fastify`: the same hello world in a single process.
 *
 * For each: from spawn to the first 200 (polled every 5 ms, as a client sees it) and the CPU time the processes
 * had used by then (steadier than wall time on a busy machine), then, after `--settle` ms idle and again after
 * `--late` ms, the RSS of the primary and of the worker (from /proc). Medians over `--rounds`; the ratios are the medians of
 * the per-round ratios (stryke over fastify-cluster in the same round). A last, untimed round counts the modules
 * each process loaded (census.ts, preloaded).
 *
 *   node build/benchmarks/boot/run.js [--rounds 9] [--settle 3000] [--late 15000] [--single] [--json]   (npm run bench:boot)
 *   --late: RSS sampled again that many ms after the first 200 (0: not), once V8 has done its idle-time work: a worker
 *   that grew its young generation while booting gives it back with an idle-time scavenge about 5 s after it starts.
 *   --single: also the single executable of the same build (`stryke build --single`), started alone from an empty folder (with the database file).
 *   STRYKE_BOOT_BUILD_ARGS="--no-bundle" ... to measure a build without bundling; STRYKE_CODE_CACHE=0 ... a bundle without
 *   V8's code cache (by default one untimed start writes the cache first, as a deployed server's first start does).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, BIN, copySampleApp, cpuOf, freePort, httpStatus, now, pairedRatios, sleep } from '../support';
import { TSCONFIG } from '../production';

const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'production', SECRET_KEY_BASE: 'b'.repeat(64), DATABASE_URL: '' };
delete env.NODE_TEST_CONTEXT;
delete env.NODE_OPTIONS;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Resident memory of a process in MiB (VmRSS), NaN once it is gone. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

interface Contender {
  name: 'stryke' | 'fastify-cluster' | 'fastify' | 'stryke-single';
  /** The program (node by default). */
  command?: string;
  args: (port: number) => string[];
  path: string;
}

interface Sample {
  firstMs: number;
  /** CPU time (user + system) the primary and its workers had used at the first 200: steadier than wall time on a busy machine. */
  cpuMs: number;
  primaryMiB: number;
  workerMiB: number;
  /** The same, `--late` ms after the first 200 (NaN when not asked): V8 has done its idle-time work by then. */
  primaryMiBLate: number;
  workerMiBLate: number;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function boot(c: Contender, settleMs: number, extraEnv: NodeJS.ProcessEnv = {}, lateMs = 0): Promise<Sample> {
  const port = await freePort();
  const t = now();
  const child = spawn(c.command ?? process.execPath, c.args(port), { env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  try {
    let firstMs = NaN;
    let cpuMs = NaN;
    while (Number.isNaN(firstMs)) {
      if (child.exitCode !== null) throw new Error(`${c.name} exited:\n${err}`);
      if (now() - t > 60_000) throw new Error(`${c.name}: no 200 in 60 s:\n${err}`);
      try {
        if ((await httpStatus(`http://127.0.0.1:${port}${c.path}`)) === 200) {
          firstMs = now() - t;
          cpuMs = [child.pid!, ...childrenOf(child.pid!)].reduce((sum, pid) => sum + (cpuOf(pid) || 0), 0);
        }
      } catch {
        /* not listening yet */
      }
      if (Number.isNaN(firstMs)) await sleep(5);
    }
    const answered = now();
    await sleep(settleMs);
    const workers = childrenOf(child.pid!);
    if (c.name !== 'fastify' && workers.length !== 1) throw new Error(`${c.name}: expected one worker, found ${workers.length}`);
    const sample = { firstMs, cpuMs, primaryMiB: rssOf(child.pid!), workerMiB: workers.length ? rssOf(workers[0]!) : NaN, primaryMiBLate: NaN, workerMiBLate: NaN };
    if (lateMs > settleMs) {
      await sleep(lateMs - (now() - answered));
      sample.primaryMiBLate = rssOf(child.pid!);
      sample.workerMiBLate = workers.length ? rssOf(workers[0]!) : NaN;
    }
    return sample;
  } finally {
    await stop(child);
  }
}

/** The sample app copied, linked to this checkout, built by `stryke build` and its production database prepared. */
function prepareApp(): string {
  const root = copySampleApp('stryke-bench-boot-', { skip: ['build'], tsconfig: TSCONFIG });
  const buildArgs = (process.env.STRYKE_BOOT_BUILD_ARGS ?? '').split(' ').filter(Boolean);
  if (process.argv.includes('--single')) buildArgs.push('--single');
  const build = spawnSync(process.execPath, [BIN, 'build', '--root', root, '--quiet', ...buildArgs], { env, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`stryke build failed:\n${build.stdout}${build.stderr}`);
  const prep = spawnSync(process.execPath, [BIN, 'db', 'prepare'], { cwd: root, env, encoding: 'utf8' });
  if (prep.status !== 0) throw new Error(`stryke db prepare failed:\n${prep.stdout}${prep.stderr}`);
  return root;
}

async function census(c: Contender): Promise<{ primary?: unknown; worker?: unknown }> {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-census-'));
  try {
    await boot(c, 4000, { NODE_OPTIONS: `--require ${join(__dirname, 'census.js')}`, STRYKE_CENSUS_DIR: dir, STRYKE_CENSUS_MS: '3000' });
    const found = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { worker: boolean; modules: number; packages: Record<string, number> });
    const top = (p?: { modules: number; packages: Record<string, number> }) =>
      p && { modules: p.modules, packages: Object.fromEntries(Object.entries(p.packages).sort((a, b) => b[1] - a[1]).slice(0, 12)) };
    return { primary: top(found.find((f) => !f.worker)), worker: top(found.find((f) => f.worker)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const rounds = arg('rounds', 9);
  const settle = arg('settle', 3000);
  const late = arg('late', 15000);
  const json = process.argv.includes('--json');
  const hello = join(__dirname, 'fastify-hello.js');
  const root = prepareApp();
  const contenders: Contender[] = [
    { name: 'stryke', args: (port) => [BIN, 'start', '--workers', '1', '--env', 'production', '--port', String(port), '--host', '127.0.0.1', '--root', root], path: '/posts' },
    { name: 'fastify-cluster', args: (port) => [hello, String(port), 'cluster'], path: '/' },
    { name: 'fastify', args: (port) => [hello, String(port), 'single'], path: '/' },
  ];
  if (process.argv.includes('--single')) {
    // The single executable of the same build (`stryke build --single`), copied alone into an empty folder with the
    // prepared SQLite file (it carries its config, views, assets and migrations).
    // Beside the app's folder (removed with it at the end), with no node_modules up the tree.
    const alone = join(root, '..', 'alone');
    mkdirSync(join(alone, 'db'), { recursive: true });
    copyFileSync(join(root, 'dist', 'stryke-sample-app'), join(alone, 'blog'));
    chmodSync(join(alone, 'blog'), 0o755);
    const database = [join(root, 'dist', 'db', 'production.sqlite3'), join(root, 'db', 'production.sqlite3')].find((f) => existsSync(f));
    if (!database) throw new Error('no production.sqlite3 after db prepare');
    copyFileSync(database, join(alone, 'db', 'production.sqlite3'));
    contenders.push({ name: 'stryke-single', command: join(alone, 'blog'), args: (port) => ['start', '--workers', '1', '--env', 'production', '--port', String(port), '--host', '127.0.0.1'], path: '/posts' });
  }
  const samples: Record<string, Sample[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  try {
    for (const c of contenders) await boot(c, 0); // warm the file cache
    // A build with V8's code cache (the default) writes it on its first start, a few seconds after boot, as a
    // deployed server does once: let one untimed start write it, so the rounds measure the starts after.
    if (existsSync(join(root, 'dist', 'server-bundle.js'))) {
      const deadline = now() + 30_000;
      while (!existsSync(join(root, 'dist', 'server-bundle.cache')) && now() < deadline) await boot(contenders[0]!, 2500, { STRYKE_CODE_CACHE_DELAY_MS: '1000' });
      if (!existsSync(join(root, 'dist', 'server-bundle.cache'))) throw new Error('the first start wrote no code cache');
    }
    for (let round = 0; round < rounds; round++) {
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
      for (const c of order) samples[c.name]!.push(await boot(c, settle, {}, late));
      if (!json) process.stderr.write(`round ${round + 1}/${rounds}: ${order.map((c) => `${c.name} ${Math.round(samples[c.name]!.at(-1)!.firstMs)} ms`).join(', ')}\n`);
    }
    const counts = { stryke: await census(contenders[0]!), 'fastify-cluster': await census(contenders[1]!) };
    const s = samples.stryke!;
    const f = samples['fastify-cluster']!;
    const one = samples.fastify!;
    const r1 = (n: number) => Math.round(n * 10) / 10;
    const r2 = (n: number) => Math.round(n * 100) / 100;
    const med = (xs: Sample[], k: keyof Sample) => r1(median(xs.map((x) => x[k])));
    const total = (x: Sample) => x.primaryMiB + x.workerMiB;
    const ratio = (a: number[], b: number[]) => {
      const p = pairedRatios(a, b);
      return { median: r2(p.median), min: r2(p.min), max: r2(p.max) };
    };
    const summary = {
      node: process.version, cores: cpus().length, loadBefore: loadavg().map(r2), rounds, settleMs: settle, lateMs: late,
      build: process.env.STRYKE_BOOT_BUILD_ARGS || 'default',
      medians: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, {
        firstMs: med(v, 'firstMs'), cpuMs: med(v, 'cpuMs'), primaryMiB: med(v, 'primaryMiB'), workerMiB: med(v, 'workerMiB'), primaryMiBLate: med(v, 'primaryMiBLate'), workerMiBLate: med(v, 'workerMiBLate'), totalMiB: r1(median(v.map(total).filter((n) => !Number.isNaN(n)))),
      }])),
      ratios: {
        firstVsFastifyCluster: ratio(s.map((x) => x.firstMs), f.map((x) => x.firstMs)),
        cpuVsFastifyCluster: ratio(s.map((x) => x.cpuMs), f.map((x) => x.cpuMs)),
        workerRssVsFastifyWorker: ratio(s.map((x) => x.workerMiB), f.map((x) => x.workerMiB)),
        workerRssLateVsFastifyWorker: ratio(s.map((x) => x.workerMiBLate), f.map((x) => x.workerMiBLate)),
        primaryRssLateVsFastifyPrimary: ratio(s.map((x) => x.primaryMiBLate), f.map((x) => x.primaryMiBLate)),
        primaryRssVsFastifyPrimary: ratio(s.map((x) => x.primaryMiB), f.map((x) => x.primaryMiB)),
        totalRssVsFastifyCluster: ratio(s.map(total), f.map(total)),
        firstVsFastifySingle: ratio(s.map((x) => x.firstMs), one.map((x) => x.firstMs)),
        workerRssVsFastifySingle: ratio(s.map((x) => x.workerMiB), one.map((x) => x.primaryMiB)),
      },
      targets: { first: 1.3, idleRss: 1.2 },
      modules: counts,
      samples,
    };
    if (json) {
      console.log(JSON.stringify(summary, null, 2));
      return;
    }
    type Med = { firstMs: number; cpuMs: number; primaryMiB: number; workerMiB: number; primaryMiBLate: number; workerMiBLate: number; totalMiB: number };
    const m = summary.medians as Record<string, Med>;
    const lateCol = late > settle;
    const rss = (x: Med, k: 'primaryMiB' | 'workerMiB') => (lateCol ? `${x[k]} / ${x[`${k}Late`]}` : `${x[k]}`);
    const when = lateCol ? ` (at ${settle / 1000} s / ${late / 1000} s)` : '';
    console.log(`| | spawn to first 200 (ms) | CPU time to it (ms) | primary RSS${when} (MiB) | worker RSS${when} (MiB) | modules (primary / worker) |`);
    console.log(`| --- | ---: | ---: | ---: | ---: | ---: |`);
    const mods = (c?: { primary?: any; worker?: any }) => `${c?.primary?.modules ?? '-'} / ${c?.worker?.modules ?? '-'}`;
    console.log(`| stryke start (1 worker, /posts) | ${m.stryke!.firstMs} | ${m.stryke!.cpuMs} | ${rss(m.stryke!, 'primaryMiB')} | ${rss(m.stryke!, 'workerMiB')} | ${mods(counts.stryke)} |`);
    console.log(`| fastify, primary + 1 worker | ${m['fastify-cluster']!.firstMs} | ${m['fastify-cluster']!.cpuMs} | ${rss(m['fastify-cluster']!, 'primaryMiB')} | ${rss(m['fastify-cluster']!, 'workerMiB')} | ${mods(counts['fastify-cluster'])} |`);
    if (m['stryke-single']) console.log(`| stryke single executable (1 worker, /posts) | ${m['stryke-single'].firstMs} | ${m['stryke-single'].cpuMs} | ${rss(m['stryke-single'], 'primaryMiB')} | ${rss(m['stryke-single'], 'workerMiB')} | - |`);
    console.log(`| fastify, one process | ${m.fastify!.firstMs} | ${m.fastify!.cpuMs} | - | ${rss({ ...m.fastify!, workerMiB: m.fastify!.primaryMiB, workerMiBLate: m.fastify!.primaryMiBLate }, 'workerMiB')} | - |`);
    const q = summary.ratios;
    const show = (x: { median: number; min: number; max: number }) => `${x.median}x (${x.min}-${x.max})`;
    console.log(`\nstryke / fastify cluster, paired medians (range): first 200 ${show(q.firstVsFastifyCluster)} [target <= 1.3x], CPU time to it ${show(q.cpuVsFastifyCluster)}; worker RSS ${show(q.workerRssVsFastifyWorker)}${lateCol ? `, ${late / 1000} s idle ${show(q.workerRssLateVsFastifyWorker)}` : ''} [target <= 1.2x]; primary RSS ${show(q.primaryRssVsFastifyPrimary)}${lateCol ? `, ${late / 1000} s idle ${show(q.primaryRssLateVsFastifyPrimary)}` : ''}; both processes ${show(q.totalRssVsFastifyCluster)}`);
    console.log(`stryke / single-process fastify: first 200 ${show(q.firstVsFastifySingle)}; worker RSS ${show(q.workerRssVsFastifySingle)}`);
    console.log(`\nmodules in the stryke worker by package: ${JSON.stringify((counts.stryke.worker as any)?.packages ?? {})}`);
    console.log(`modules in the stryke primary by package: ${JSON.stringify((counts.stryke.primary as any)?.packages ?? {})}`);
    console.log(`\n${rounds} rounds (medians; RSS ${settle} ms${lateCol ? ` and ${late} ms` : ''} after the first 200) on ${summary.cores} cores, Node.js ${process.version}, load average ${summary.loadBefore.join(' ')} at the end (a shared machine: wall-clock figures are noisy).`);
  } finally {
    rmSync(join(root, '..'), { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
