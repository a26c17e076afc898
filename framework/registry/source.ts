import { sep } from 'node:path';

/** The compiled framework's folder (`.../build/framework`). */
export const frameworkDir = __dirname.slice(0, __dirname.lastIndexOf(sep));

/**
 * In a bundled build (`stryke build`, framework/server/bundle.ts) every frame is in the one bundle file, so the
 * bundle tells which of the app's compiled modules is running: each of them enters on load and leaves when done
 * (nested, as they require one another). Its path (`<root>/build/app/models/post.js`) then stands for the frame.
 */
const BUNDLED = Symbol.for('stryke.bundled.loading');
const loading: string[] = ((globalThis as Record<symbol, string[]>)[BUNDLED] ??= []);

/** The app module a bundled build is loading now (`<file>:0`), if any. */
export function bundledSource(): string | undefined {
  const file = loading[loading.length - 1];
  return file === undefined ? undefined : `${file}:0`;
}

/**
 * Where a decorator was applied: the first stack frame outside the framework, as `file:line` of the
 * compiled file. Runs once per decorator when a class is defined (never on the request path) so that boot
 * errors can name the declaration they are about, and so one process can tell apps apart by the folder
 * their compiled code lives in.
 *
 * V8's raw call sites are read directly: with `--enable-source-maps` (or `process.setSourceMapsEnabled`)
 * Node rewrites the formatted stack to `.ts` sources, which would hide the compiled file's folder.
 */
export function callSite(): string {
  const bundled = bundledSource();
  if (bundled) return bundled;
  for (const frame of callSites(callSite)) {
    const file = frame.getFileName();
    if (!file || file.startsWith('node:') || file.startsWith(frameworkDir) || file.includes(`${sep}node_modules${sep}`)) continue;
    // tsc's __decorate helper sits at the top of every compiled file: the declaration is its caller.
    if (frame.getFunctionName() === '__decorate') continue;
    return `${file}:${frame.getLineNumber() ?? 0}`;
  }
  return '<unknown>';
}

/** The helpers compiled code runs decorators through: tsc's (one per file) and esbuild's (one per bundle). */
const DECORATE_HELPERS = new Set(['__decorate', '__decorateClass']);

/**
 * Where the class being decorated is defined, wherever that is (an app, the framework itself, an installed
 * package): the compiled file whose decorate helper runs the decorator, at the line of the class. Falls
 * back to callSite() for a decorator applied by hand.
 */
export function decoratedAt(): string {
  const bundled = bundledSource();
  if (bundled) return bundled;
  const frames = callSites(decoratedAt);
  const at = frames.findIndex((f) => DECORATE_HELPERS.has(f.getFunctionName() ?? ''));
  const helper = frames[at];
  if (!helper?.getFileName()) return callSite();
  const caller = frames[at + 1];
  const line = caller?.getFileName() === helper.getFileName() ? caller!.getLineNumber() : helper.getLineNumber();
  return `${helper.getFileName()}:${line ?? 0}`;
}

/** V8's raw call sites above `from`. */
function callSites(from: Function): NodeJS.CallSite[] {
  const previous = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_err, sites) => sites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, from);
    return (holder.stack as NodeJS.CallSite[] | undefined) ?? [];
  } finally {
    Error.prepareStackTrace = previous;
  }
}
