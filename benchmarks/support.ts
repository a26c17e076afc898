/** What the benchmark scripts share: arguments, a free port, a private copy of the sample app, clocks and a process's CPU time. */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');
export const BIN = join(REPO, 'bin', 'stryke.js');
export const SAMPLE_APP = join(REPO, 'sample-app');

/** `--name N` from the command line, or `fallback`. */
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

export function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
    srv.on('error', reject);
  });
}

/**
 * The sample app in a temporary folder, linked to this checkout (without its databases, logs and
 * node_modules). `skip` leaves more top-level entries out; `tsconfig` writes one in place of the sample's.
 */
export function copySampleApp(prefix: string, options: { skip?: string[]; tsconfig?: object } = {}): string {
  const root = join(mkdtempSync(join(tmpdir(), prefix)), 'sample-app');
  const skip = new Set(['node_modules', 'dist', 'tmp', 'log', 'tsconfig.json', ...(options.skip ?? [])]);
  cpSync(SAMPLE_APP, root, {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(SAMPLE_APP.length + 1);
      return !skip.has(rel.split('/')[0]!) && !/\.sqlite3/.test(rel);
    },
  });
  if (options.tsconfig) writeFileSync(join(root, 'tsconfig.json'), JSON.stringify(options.tsconfig, null, 2));
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(REPO, join(root, 'node_modules', 'stryke'), 'dir');
  return root;
}

/**
 * Round by round, `a`'s figure over `b`'s measured next to it (the same round): the median and the range.
 * Robust to a machine whose speed drifts between rounds, which a ratio of means is not.
 */
export function pairedRatios(a: number[], b: number[]): { median: number; min: number; max: number } {
  const r = a.map((x, i) => x / b[i]!).sort((x, y) => x - y);
  const mid = r.length >> 1;
  return { median: r.length % 2 ? r[mid]! : (r[mid - 1]! + r[mid]!) / 2, min: r[0]!, max: r[r.length - 1]! };
}

/** Milliseconds from a monotonic clock. */
export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The status of a GET on a new connection (a try fails after 5 s without an answer). */
export function httpStatus(url: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode!));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', fail);
  });
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux; 10 ms ticks); NaN once it is gone or off Linux. */
export function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}
