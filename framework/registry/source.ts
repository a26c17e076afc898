import { sep } from 'node:path';

const frameworkDir = __dirname.slice(0, __dirname.lastIndexOf(sep));

/**
 * Where a decorator was applied: the first stack frame outside the framework, as `file:line`.
 * Runs once per decorator when a class is defined (never on the request path) so that boot errors
 * can name the declaration they are about.
 */
export function callSite(): string {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:\/|[A-Za-z]:\\)[^():]+):(\d+):\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const file = m[1]!;
    if (file.startsWith(frameworkDir) || file.includes(`${sep}node_modules${sep}`) || file.startsWith('node:')) continue;
    return `${file}:${m[2]}`;
  }
  return '<unknown>';
}
