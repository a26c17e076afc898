/**
 * User-space instructions per request of one HTTP server process, counted by valgrind's callgrind with
 * instrumentation switched on only around a burst of requests, after a warm-up burst of the same size (the
 * JIT settles in the warm-up). Shared by benchmarks/http/instructions.ts and benchmarks/http-db/instructions.ts.
 * `KEEP_CALLGRIND=1` keeps the output folder (for callgrind_annotate) and starts node with `--perf-basic-prof`, whose
 * /tmp/perf-<pid>.map names the JIT's code addresses in that output (the server's pid is the number in its
 * `cg.<pid>` files; a `stryke start` worker's too).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerUnderCallgrind {
  /** What the server is called in an error. */
  label: string;
  /** The compiled server script and its arguments; it listens on `port` and then sends an IPC message. */
  script: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  /**
   * The script is `stryke start`: a primary (at full speed) that forks the server process, which runs under
   * callgrind; the count is the worker's, and readiness is the first answer on `readyPath` (no IPC).
   */
  worker?: { readyPath: string };
  /**
   * Count the main thread only (callgrind's `--separate-threads=yes`, thread 1): V8's background threads
   * (Turbofan compiling, concurrent marking) run as much as the wall-clock time of the window allows, which
   * on a loaded machine swung a run by 50k instructions a request; the main thread's count is the request
   * path with its scavenges. `--main-thread` on the instructions scripts.
   */
  mainThread?: boolean;
  /** A server that sends no IPC message when it listens (another framework's script): ready at the first 200 on this path. */
  readyPath?: string;
}

function workerPid(primary: number): number | undefined {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(primary)], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').map((s) => Number(s.trim())).find(Boolean);
}

async function waitUntilAnswering(port: number, path: string, agent: http.Agent, child: { exitCode: number | null }): Promise<void> {
  const deadline = Date.now() + 900_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    try {
      await get(port, path, agent);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`nothing answered ${path} on port ${port}`);
}

/** Whether valgrind can run here; when not, says so in one line. */
export function valgrindAvailable(): boolean {
  if (spawnSync('valgrind', ['--version']).status === 0) return true;
  console.log('valgrind is not installed (apt-get install valgrind): nothing measured.');
  return false;
}

function get(port: number, path: string, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      if (res.statusCode === 200) return void res.resume().on('end', resolve);
      // The body says why (a coded error's message in development, its code and request id in production).
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => reject(new Error(`${path} answered ${res.statusCode}: ${body.slice(0, 500)}`)));
    }).on('error', reject);
  });
}

/** `n` GETs of `path`, eight at a time over keep-alive connections. */
async function burst(port: number, path: string, n: number, agent: http.Agent): Promise<void> {
  let sent = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (sent++ < n) await get(port, path, agent);
  }));
}

/** Instructions per request of `server` answering `path`, over `requests` requests after as many to warm up. */
export async function instructionsPerRequest(server: ServerUnderCallgrind, path: string, requests: number): Promise<number> {
  return (await instructionsPerPath(server, [{ path, requests }]))[0]!;
}

/**
 * Instructions per request of one server (booted once under callgrind) on each path in turn: for each, a
 * warm-up burst, then a counted burst of the same size, then a dump (which zeroes the counters for the next).
 */
export async function instructionsPerPath(server: ServerUnderCallgrind, paths: { path: string; requests: number }[]): Promise<number[]> {
  const out = mkdtempSync(join(tmpdir(), 'stryke-callgrind-'));
  const valgrind = ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${join(out, 'cg.%p')}`];
  if (server.mainThread) valgrind.push('--separate-threads=yes');
  // node's --perf-basic-prof also writes a V8 log: into the output folder, not the working directory.
  const nodeFlags = process.env.KEEP_CALLGRIND ? ['--perf-basic-prof', `--logfile=${join(out, 'v8-%p.log')}`] : [];
  let child;
  if (server.worker) {
    // The primary at full speed; its worker under callgrind, through a wrapper it forks (callgrind-worker.ts).
    const wrapper = join(out, 'node-under-callgrind.sh');
    writeFileSync(wrapper, `#!/bin/sh\nexec valgrind ${valgrind.map((a) => `'${a}'`).join(' ')} '${process.execPath}' ${nodeFlags.join(' ')} "$@"\n`, { mode: 0o755 });
    child = spawn(process.execPath, ['-r', join(__dirname, 'callgrind-worker.js'), server.script, ...server.args], {
      env: { ...server.env, STRYKE_BENCH_WORKER_WRAPPER: wrapper },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    child = spawn('valgrind', [...valgrind, process.execPath, ...nodeFlags, server.script, ...server.args], {
      env: server.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
  }
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  // The server's log (stdout), kept to explain a failure: only its end.
  child.stdout?.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  let pid = child.pid!;
  try {
    if (server.worker) {
      await waitUntilAnswering(server.port, server.worker.readyPath, agent, child).catch((err: Error) => {
        throw new Error(`${server.label} server: ${err.message}: ${stderr.slice(-2000)}`);
      });
      pid = workerPid(child.pid!) ?? pid;
      if (pid === child.pid) throw new Error(`${server.label}: no worker process under the primary`);
    } else if (server.readyPath) {
      await waitUntilAnswering(server.port, server.readyPath, agent, child).catch((err: Error) => {
        throw new Error(`${server.label} server: ${err.message}: ${stderr.slice(-2000)}`);
      });
    } else {
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`${server.label} server exited with ${code}: ${stderr.slice(-2000)}`)));
      });
    }
    const counts: number[] = [];
    const seen = new Set<string>();
    for (const { path, requests } of paths) {
      await burst(server.port, path, requests, agent);
      execFileSync('callgrind_control', ['-i', 'on', String(pid)], { stdio: 'ignore' });
      await burst(server.port, path, requests, agent);
      execFileSync('callgrind_control', ['-i', 'off', String(pid)], { stdio: 'ignore' });
      execFileSync('callgrind_control', ['-d', String(pid)], { stdio: 'ignore' });
      const pattern = new RegExp(server.mainThread ? `^cg\\.${pid}\\.\\d+-01$` : `^cg\\.${pid}\\.\\d+$`);
      const dump = readdirSync(out).find((f) => pattern.test(f) && !seen.has(f));
      if (!dump) throw new Error(`no callgrind dump for ${server.label} ${path} in ${out}`);
      seen.add(dump);
      const totals = /^totals:\s+(\d+)/m.exec(readFileSync(join(out, dump), 'utf8'));
      if (!totals) throw new Error(`no callgrind totals in ${out}`);
      counts.push(Number(totals[1]) / requests);
    }
    return counts;
  } catch (err) {
    throw new Error(`${server.label}: ${(err as Error).message}\n--- the server's last output:\n${stderr.slice(-4000)}`);
  } finally {
    agent.destroy();
    if (pid !== child.pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
    child.kill('SIGKILL');
    if (process.env.KEEP_CALLGRIND) console.log(`# callgrind output of ${server.label}: ${out}`);
    else rmSync(out, { recursive: true, force: true });
  }
}
