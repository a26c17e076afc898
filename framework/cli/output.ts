import { StrykeError } from '../support/errors';

const color = process.stdout.isTTY && !process.env.NO_COLOR;
export const paint = {
  green: (s: string) => (color ? `\x1b[32m${s}\x1b[0m` : s),
  red: (s: string) => (color ? `\x1b[31m${s}\x1b[0m` : s),
  dim: (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s),
  bold: (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s),
};

/** Prints an error as one line (its code last) and exits non-zero. */
export function fail(err: unknown): never {
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
