import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
export function compileApp(root: string, options: { quiet?: boolean } = {}): void {
  if (!existsSync(join(root, 'tsconfig.json'))) return;
  const res = spawnSync(process.execPath, [tscPath(), '-b', root], { stdio: options.quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (res.status !== 0) {
    if (options.quiet) process.stderr.write(`${res.stdout ?? ''}${res.stderr ?? ''}`);
    throw CliErrors.COMPILE_FAILED();
  }
}
