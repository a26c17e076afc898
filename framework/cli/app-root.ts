import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { RouteDef } from '../routing';
import type * as Routing from '../routing/internal';
import { join, resolve } from 'node:path';
import { isCompiled, markCompiled } from './compile-stamp';
import { CliErrors } from './errors';
import type { Progress } from './progress';

/** The app directory a command works on: `--root`, else the current directory. */
export function appRoot(given?: string): string {
  const root = resolve(given ?? process.cwd());
  if (!existsSync(join(root, 'app')) && !existsSync(join(root, 'config'))) throw CliErrors.NOT_AN_APP(root);
  return root;
}

/** The TypeScript compiler stryke ships with. */
export function tscPath(): string {
  return require.resolve('typescript/bin/tsc');
}

/** Runs node with these arguments and collects what it prints (asynchronously, so a spinner keeps turning). */
function node(args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { output += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { output += d; });
    child.on('error', reject);
    child.on('close', (status) => resolveRun({ status, output }));
  });
}

export interface CompileOptions {
  /** Do not print what tsc says on success. */
  quiet?: boolean;
  /** Do not fail on type errors (tsc still emits). */
  allowErrors?: boolean;
  /** Report the compile as a step ("compiling the app … done (1.2s)"). */
  progress?: Progress;
}

/**
 * Compiles the app's TypeScript into build/ (incremental, so an unchanged app costs a fraction of a
 * second). On errors the command fails with one line, tsc's diagnostics (attached as `output`) before it.
 */
export async function compileApp(root: string, options: CompileOptions = {}): Promise<void> {
  if (!existsSync(join(root, 'tsconfig.json'))) return;
  // Compiled already (earlier in this command, or by a command before it with nothing changed since): no
  // compiler to start. `db prepare` migrates and seeds on one compile; `start` after it starts none.
  if (isCompiled(root)) return;
  const work = async () => {
    const startedAt = Date.now();
    const tsc = () => node([tscPath(), '-b', root]);
    let res = await tsc();
    // Apps with app/paths.d.ts get it regenerated when their routes change, then compiled again: a route
    // added in this edit has its helper typed before the compile that uses it is judged.
    if (existsSync(join(root, PATH_TYPES)) && (await refreshPathTypes(root))) res = await tsc();
    if (res.status !== 0 && !options.allowErrors) throw Object.assign(CliErrors.COMPILE_FAILED(), { output: res.output });
    if (res.status === 0) markCompiled(root, startedAt);
    return res.output;
  };
  const output = options.progress
    ? await options.progress.step({ id: 'compile', doing: 'compiling the app', done: 'compiled the app' }, work)
    : await work();
  if (!options.quiet && output && !options.progress?.json && !options.progress?.quiet) process.stdout.write(output);
}

export const PATH_TYPES = 'app/paths.d.ts';

/** Rewrites app/paths.d.ts from the routes (read by a child process, so this one loads no app code); true when it changed. */
async function refreshPathTypes(root: string): Promise<boolean> {
  const before = readFileSync(join(root, PATH_TYPES), 'utf8');
  const res = await node([join(__dirname, 'bin.js'), 'routes', '--types', '--no-build', '--root', root]);
  if (res.status !== 0) return false;
  return readFileSync(join(root, PATH_TYPES), 'utf8') !== before;
}

/** Writes app/paths.d.ts for these routes; true when its content changed. */
export function writePathTypes(root: string, routes: RouteDef[]): boolean {
  const file = join(root, PATH_TYPES);
  // Required here, not at the top: `stryke start`'s primary imports this file for appRoot and loads no routing.
  const text = (require('../routing/internal') as typeof Routing).renderPathTypes(routes);
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  writeFileSync(file, text);
  return true;
}
