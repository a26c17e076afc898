import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { RouteDef } from '../routing/table';
import { renderPathTypes } from '../routing/types';
import { join, resolve } from 'node:path';
import { CliErrors } from './errors';

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

/**
 * Compiles the app's TypeScript into build/ (incremental, so an unchanged app costs a fraction of a
 * second). Errors are printed as tsc prints them; the command then fails with one line.
 */
export function compileApp(root: string, options: { quiet?: boolean; allowErrors?: boolean } = {}): void {
  if (!existsSync(join(root, 'tsconfig.json'))) return;
  const tsc = () => spawnSync(process.execPath, [tscPath(), '-b', root], { stdio: 'pipe', encoding: 'utf8' });
  let res = tsc();
  // Apps with app/paths.d.ts get it regenerated when their routes change, then compiled again: a route
  // added in this edit has its helper typed before the compile that uses it is judged.
  if (existsSync(join(root, PATH_TYPES)) && refreshPathTypes(root)) res = tsc();
  if (res.status !== 0 && !options.allowErrors) {
    process.stderr.write(`${res.stdout ?? ''}${res.stderr ?? ''}`);
    throw CliErrors.COMPILE_FAILED();
  }
  if (!options.quiet && res.stdout) process.stdout.write(res.stdout);
}

export const PATH_TYPES = 'app/paths.d.ts';

/** Rewrites app/paths.d.ts from the routes (read by a child process, so this one loads no app code); true when it changed. */
function refreshPathTypes(root: string): boolean {
  const before = readFileSync(join(root, PATH_TYPES), 'utf8');
  const res = spawnSync(process.execPath, [join(__dirname, 'bin.js'), 'routes', '--types', '--no-build', '--root', root], { stdio: 'pipe', encoding: 'utf8' });
  if (res.status !== 0) return false;
  return readFileSync(join(root, PATH_TYPES), 'utf8') !== before;
}

/** Writes app/paths.d.ts for these routes; true when its content changed. */
export function writePathTypes(root: string, routes: RouteDef[]): boolean {
  const file = join(root, PATH_TYPES);
  const text = renderPathTypes(routes);
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  writeFileSync(file, text);
  return true;
}
