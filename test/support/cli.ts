import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const REPO = join(__dirname, '..', '..', '..');
export const BIN = join(REPO, 'bin', 'stryke.js');

/**
 * How long a command a test runs may take before it is stopped: an upper bound for a hang, never a measure
 * (a busy machine makes a compile take minutes; scripts/test.js makes the suite slower, never red).
 */
export const COMMAND_TIMEOUT = 10 * 60_000;
/**
 * What the tests' bounded waits (`until(..., 30_000)`) are multiplied by: each is a bound for a hang, sized for
 * an idle machine, and a busy one may need several times that. STRYKE_TEST_PATIENCE sets it (default 4).
 */
export const PATIENCE = Number(process.env.STRYKE_TEST_PATIENCE) > 0 ? Number(process.env.STRYKE_TEST_PATIENCE) : 4;
/** How long a test waits for a server it started to answer (a bound for a hang, like COMMAND_TIMEOUT). */
export const SERVER_WAIT = 3 * 60_000;

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the stryke CLI as a user would, and waits for it. */
export function stryke(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): RunResult {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...options.env }, timeout: COMMAND_TIMEOUT,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Starts the stryke CLI in the background (a server). */
export function strykeBackground(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
    srv.on('error', reject);
  });
}

/**
 * Polls `url` until it answers (any status), or fails after `ms`. Given the `server` that should answer, it fails
 * as soon as that process has exited (it never will answer), not after the whole wait.
 */
export async function waitForHttp(url: string, ms = SERVER_WAIT, server?: ChildProcess): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (server && (server.exitCode !== null || server.signalCode !== null)) {
      throw new Error(`the server exited (${server.exitCode ?? server.signalCode}) before ${url} answered`);
    }
    try {
      // One try never waits long: a connection accepted and never answered must not use up the whole wait.
      await fetch(url, { signal: AbortSignal.timeout(5_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within ${ms}ms`);
}

export interface StartedServer {
  server: ChildProcess;
  port: number;
  /** What the server printed so far (stdout and stderr). */
  output(): string;
}

export interface ServerOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** How to tell the server is up (a TLS server); by default GET /health answers over HTTP. */
  ready?: (port: number, server: ChildProcess) => Promise<void>;
  /** An executable to run instead of the stryke CLI (`stryke build --single`'s), with `env` as its whole environment. */
  bin?: string;
}

/**
 * Runs `stryke <args> --port <a free port>` in the background and waits until it answers: `ready(port)` when
 * given (a TLS server), else GET /health over HTTP on `--host` (127.0.0.1 when args name none). A free port is
 * only free when it was looked at: any process may bind it, or be given it as an outgoing connection's local
 * port, before the server listens. The server then stops with STRYKE_E_PORT_IN_USE, and this starts it again
 * on another port. Any other failure kills the server and throws with what it printed.
 */
export async function startServer(
  args: string[],
  options: ServerOptions = {},
): Promise<StartedServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = options.bin
      ? spawn(options.bin, [...args, '--port', String(port)], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
      : strykeBackground([...args, '--port', String(port)], options);
    let output = '';
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<void>((done) => server.once('exit', () => done()));
    try {
      const host = args.includes('--host') ? args[args.indexOf('--host') + 1] : '127.0.0.1';
      await (options.ready ? options.ready(port, server) : waitForHttp(`http://${host}:${port}/health`, SERVER_WAIT, server));
      return { server, port, output: () => output };
    } catch (err) {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      await exited;
      if (new RegExp(`Port ${port} on .*STRYKE_E_PORT_IN_USE`).test(output) && attempt < 5) continue;
      throw new Error(`${(err as Error).message}; the server printed:\n${output}`);
    }
  }
}

/** Starts the server (see startServer), runs `fn` with its `http://host:port`, then stops it (SIGTERM) and waits for it to exit. */
export async function withServer<T>(args: string[], options: ServerOptions, fn: (base: string, started: StartedServer) => Promise<T>): Promise<T> {
  const started = await startServer(args, options);
  try {
    return await fn(`http://127.0.0.1:${started.port}`, started);
  } finally {
    if (started.server.exitCode === null && started.server.signalCode === null) {
      const exited = new Promise((done) => started.server.once('exit', done));
      started.server.kill('SIGTERM');
      await exited;
    }
  }
}

/**
 * `stryke build`, then `stryke start --workers <workers>` on 127.0.0.1 (see startServer), waiting until the
 * primary has all its workers (the first to listen answers /health while the others may still boot).
 */
export async function startWorkers(root: string, workers: number, options: { env?: Record<string, string> } = {}): Promise<StartedServer> {
  const built = stryke(['build', '--root', root], options);
  if (built.status !== 0) throw new Error(`stryke build failed:\n${built.stderr}${built.stdout}`);
  const started = await startServer(['start', '--root', root, '--workers', String(workers), '--host', '127.0.0.1'], options);
  try {
    await until(() => workerPids(started.server.pid!).length === workers, SERVER_WAIT, `${workers} worker(s)`);
  } catch (err) {
    started.server.kill('SIGKILL');
    throw new Error(`${(err as Error).message}; the server printed:\n${started.output()}`);
  }
  return started;
}

/** The processes `primary` started (the workers of `stryke start`). */
export function workerPids(primary: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(primary)], { encoding: 'utf8' })
      .split('\n').map((s) => Number(s.trim())).filter(Boolean);
  } catch {
    return [];
  }
}

/** Waits until `check` holds, polling every 100 ms, or fails after `ms` (a bound for a hang, never a measure). */
export async function until(check: () => boolean | Promise<boolean>, ms = SERVER_WAIT, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms}ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The tsconfig.json of a test app, as `stryke new` writes it (`extra` adds compiler options, e.g. `sourceMap`). */
export function appTsconfig(extra: Record<string, unknown> = {}): string {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022', module: 'node16', moduleResolution: 'node16', lib: ['ES2023'], types: ['node'],
      typeRoots: ['./node_modules/@types', './node_modules/stryke/node_modules/@types'], strict: true,
      experimentalDecorators: true, emitDecoratorMetadata: true, useDefineForClassFields: false, skipLibCheck: true,
      rootDir: '.', outDir: 'build', incremental: true, tsBuildInfoFile: 'build/.tsbuildinfo', ...extra,
    },
    include: ['app/**/*.ts', 'config/**/*.ts', 'db/**/*.ts'],
  };
  return JSON.stringify(tsconfig, null, 2);
}

/**
 * Writes a small app into a temporary directory, linked to this framework checkout the way
 * `stryke new` links one (node_modules/stryke -> the repository).
 */
export function writeApp(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'stryke-app-'));
  const all: Record<string, string> = { 'tsconfig.json': appTsconfig(), ...files };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  symlinkSync(REPO, join(root, 'node_modules', 'stryke'), 'dir');
  return root;
}

/** Runs `stryke console` in `root` with `input` piped to it, as `stryke console < script.txt` would; `env` adds to the environment. */
export function consoleWith(
  root: string,
  input: string,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [BIN, 'console', ...(options.args ?? [])], {
      cwd: root, env: { ...process.env, NO_COLOR: '1', DATABASE_URL: '', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT);
    child.on('error', reject);
    child.on('exit', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
