import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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

/** Polls `url` until it answers (any status), or fails after `ms`. */
export async function waitForHttp(url: string, ms = SERVER_WAIT): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
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
