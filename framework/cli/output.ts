import { StrykeError } from '../support';

/**
 * Colour only when stdout is a terminal, never with NO_COLOR set (https://no-color.org); FORCE_COLOR
 * overrides both ways (`FORCE_COLOR=1` colours a pipe, `FORCE_COLOR=0` never colours).
 */
export function useColor(env: NodeJS.ProcessEnv = process.env, stream: { isTTY?: boolean } = process.stdout): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false', 'no'].includes(force.toLowerCase());
  if (env.NO_COLOR) return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const color = useColor();
export const paint = {
  green: (s: string) => (color ? `\x1b[32m${s}\x1b[0m` : s),
  red: (s: string) => (color ? `\x1b[31m${s}\x1b[0m` : s),
  yellow: (s: string) => (color ? `\x1b[33m${s}\x1b[0m` : s),
  dim: (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s),
  bold: (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s),
};

/** The colour of a generator's status word (`create`, `identical`, `conflict`...). */
export function paintStatus(status: string, text: string): string {
  switch (status) {
    case 'create': return paint.green(text);
    case 'remove': return paint.yellow(text);
    case 'conflict': return paint.red(text);
    case 'force':
    case 'skip': return paint.bold(text);
    default: return paint.dim(text);
  }
}

/** `--quiet` and `--json`, as the commands that write files take them. */
export interface OutputOptions {
  quiet?: boolean;
  json?: boolean;
}

/**
 * Where a command's progress lines go: stdout normally; nowhere with `--quiet` (errors still reach
 * stderr) or `--json` (the command prints one JSON document at the end instead).
 */
export function progress(opts: OutputOptions): (line: string) => void {
  return opts.quiet || opts.json ? () => {} : (line: string) => console.log(line);
}

/** Prints a command's result as JSON, when `--json` asked for it. */
export function printJson(opts: OutputOptions, data: unknown): void {
  if (opts.json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

let failureHook: ((err: unknown) => void) | undefined;
/** Also hands the error that ends the command to `hook` (the `--json` reporter turns it into an event). */
export function onFailure(hook: (err: unknown) => void): void {
  failureHook = hook;
}

/**
 * Prints an error as one line (its code last) and exits non-zero. Output that explains it (the
 * compiler's diagnostics, attached as `output`) comes first.
 */
export function fail(err: unknown): never {
  const output = (err as { output?: unknown })?.output;
  if (typeof output === 'string' && output) process.stderr.write(output.endsWith('\n') ? output : `${output}\n`);
  failureHook?.(err);
  if (err instanceof StrykeError) {
    process.stderr.write(`stryke: ${err.message} (${err.code})\n`);
  } else {
    const e = err as Error;
    process.stderr.write(`stryke: ${e?.message ?? String(err)}\n`);
    if (process.env.STRYKE_DEBUG && e?.stack) process.stderr.write(`${e.stack}\n`);
  }
  process.exit(1);
}

/** Wraps a command's action so any error ends as one clear line and a non-zero exit. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      fail(err);
    }
  };
}
