/**
 * Worker boot to first response on the sample app, two ways, `--rounds` processes each:
 *
 * - `stryke server`: the process a `stryke start` / `stryke dev` worker is (the CLI, then serve()), from
 *   spawn to the first 200 from GET /posts (polled every 5 ms), as a client sees it;
 * - the probe (probe.ts): createApp() in a bare Node process, timed from inside: module loading (by
 *   package), the app's boot, listen, the first response.
 *
 * Prints medians. The sample app is copied (with its compiled build/) to a temporary folder, linked to
 * this checkout, and its development database prepared.
 *
 *   node build/benchmarks/boot/stages.js [--rounds 15] [--json]   (the side-by-side comparison with fastify is run.ts)
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { arg, BIN, copySampleApp, cpuOf, freePort, httpStatus, now, sleep } from '../support';


const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'development', DATABASE_URL: '' };
delete env.NODE_TEST_CONTEXT;

/** `stryke server` from spawn to its first 200 from /posts: wall time, and the CPU time it took. */
async function serverToFirst200(root: string): Promise<{ wall: number; cpu: number }> {
  const port = await freePort();
  const t = now();
  const child = spawn(process.execPath, [BIN, 'server', '--no-build', '--root', root, '--port', String(port), '--host', '127.0.0.1'], {
    env: { ...env, STRYKE_SERVER__LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`stryke server exited:\n${err}`);
      if (now() - t > 60_000) throw new Error(`no 200 in 60 s:\n${err}`);
      try {
        if ((await httpStatus(`http://127.0.0.1:${port}/posts`)) === 200) return { wall: now() - t, cpu: cpuOf(child.pid!) };
      } catch {
        /* not listening yet */
      }
      await sleep(5);
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

interface Probe {
  status: number; processStartMs: number; loadMs: number; bootMs: number; listenMs: number; firstResponseMs: number; totalMs: number;
  loadPackagesMs: Record<string, number>; bootPackagesMs: Record<string, number>;
  cpu: { startMs: number; loadMs: number; bootMs: number; listenAndFirstResponseMs: number; totalMs: number };
}

function probe(root: string): { wallMs: number; probe: Probe } {
  const t = now();
  const res = spawnSync(process.execPath, [join(__dirname, 'probe.js'), root, '/posts'], { env: { ...env, STRYKE_SERVER__LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 60_000 });
  const wallMs = now() - t;
  if (res.status !== 0) throw new Error(`probe failed:\n${res.stdout}${res.stderr}`);
  const p = JSON.parse(res.stdout.trim().split('\n').pop()!) as Probe;
  if (p.status !== 200) throw new Error(`probe: GET /posts answered ${p.status}`);
  return { wallMs, probe: p };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r = (n: number) => Math.round(n);

async function main() {
  const rounds = arg('rounds', 15);
  const json = process.argv.includes('--json');
  const root = copySampleApp('stryke-bench-boot-');
  try {
    const prep = spawnSync(process.execPath, [BIN, 'db', 'prepare', '--root', root], { env, encoding: 'utf8' });
    if (prep.status !== 0) throw new Error(`stryke db prepare failed:\n${prep.stdout}${prep.stderr}`);
    const server: Array<{ wall: number; cpu: number }> = [];
    const probes: Array<ReturnType<typeof probe>> = [];
    probe(root); // warm the file cache
    for (let i = 0; i < rounds; i++) {
      server.push(await serverToFirst200(root));
      probes.push(probe(root));
    }
    const m = (f: (p: Probe) => number) => r(median(probes.map((x) => f(x.probe))));
    const names = new Set(probes.flatMap((x) => Object.keys(x.probe.loadPackagesMs)));
    const bootNames = new Set(probes.flatMap((x) => Object.keys(x.probe.bootPackagesMs)));
    const pkgs = Object.fromEntries([...names].map((n) => [n, m((p) => p.loadPackagesMs[n] ?? 0)] as const).sort((a, b) => b[1] - a[1]));
    const bootPkgs = Object.fromEntries([...bootNames].map((n) => [n, m((p) => p.bootPackagesMs[n] ?? 0)] as const).sort((a, b) => b[1] - a[1]));
    const summary = {
      node: process.version, cores: cpus().length, load: loadavg().map((l) => Math.round(l * 100) / 100), rounds,
      strykeServerToFirst200Ms: r(median(server.map((x) => x.wall))), strykeServerSamplesMs: server.map((x) => r(x.wall)),
      strykeServerCpuMs: r(median(server.map((x) => x.cpu))),
      probe: {
        wallMs: r(median(probes.map((x) => x.wallMs))),
        processStartMs: m((p) => p.processStartMs), loadMs: m((p) => p.loadMs), bootMs: m((p) => p.bootMs),
        listenMs: m((p) => p.listenMs), firstResponseMs: m((p) => p.firstResponseMs), totalMs: m((p) => p.totalMs),
        cpu: {
          startMs: m((p) => p.cpu.startMs), loadMs: m((p) => p.cpu.loadMs), bootMs: m((p) => p.cpu.bootMs),
          listenAndFirstResponseMs: m((p) => p.cpu.listenAndFirstResponseMs), totalMs: m((p) => p.cpu.totalMs),
        },
        loadPackagesMs: pkgs, bootPackagesMs: bootPkgs,
      },
      targetMs: 200,
    };
    if (json) {
      console.log(JSON.stringify(summary, null, 2));
      return;
    }
    const p = summary.probe;
    console.log(`stryke server, spawn to first 200 from /posts: median ${summary.strykeServerToFirst200Ms} ms (${summary.strykeServerSamplesMs.join(', ')}), CPU time ${summary.strykeServerCpuMs} ms`);
    console.log(`\nprobe (createApp in a bare process), medians in ms:`);
    console.log(`| node start | load stryke | createApp | listen | first GET /posts | total in process | process wall |`);
    console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
    console.log(`| ${p.processStartMs} | ${p.loadMs} | ${p.bootMs} | ${p.listenMs} | ${p.firstResponseMs} | ${p.totalMs} | ${p.wallMs} |`);
    console.log(`\nCPU time (user + system), medians in ms: node start ${p.cpu.startMs}, load stryke ${p.cpu.loadMs}, createApp ${p.cpu.bootMs}, listen and first response ${p.cpu.listenAndFirstResponseMs}, total ${p.cpu.totalMs}`);
    console.log(`\nloading stryke, by package (ms): ${Object.entries(pkgs).filter(([, v]) => v >= 1).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`required later, during boot and the first request (ms): ${Object.entries(bootPkgs).filter(([, v]) => v >= 1).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`\n${rounds} rounds on ${summary.cores} cores, Node.js ${process.version}, load average ${summary.load.join(' ')}; target under 200 ms.`);
  } finally {
    rmSync(join(root, '..'), { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
