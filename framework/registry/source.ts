import { sep } from 'node:path';

/** The compiled framework's folder (`.../build/framework`). */
export const frameworkDir = __dirname.slice(0, __dirname.lastIndexOf(sep));

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
  return callSiteOutside([frameworkDir], callSite);
}

/**
 * Like callSite, skipping only frames under the given folders: a decorator that records where a class is
 * defined, even in another part of the framework (`@Job` on the framework's own MailDeliveryJob), passes
 * its own concern's folder.
 */
export function callSiteOutside(dirs: readonly string[], from: Function = callSiteOutside): string {
  const previous = Error.prepareStackTrace;
  let frames: NodeJS.CallSite[] = [];
  try {
    Error.prepareStackTrace = (_err, callSites) => callSites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, from);
    frames = (holder.stack as NodeJS.CallSite[] | undefined) ?? [];
  } finally {
    Error.prepareStackTrace = previous;
  }
  for (const frame of frames) {
    const file = frame.getFileName();
    if (!file || file.startsWith('node:') || dirs.some((d) => file.startsWith(d + sep)) || file.includes(`${sep}node_modules${sep}`)) continue;
    // tsc's __decorate helper sits at the top of every compiled file: the declaration is its caller.
    if (frame.getFunctionName() === '__decorate') continue;
    return `${file}:${frame.getLineNumber() ?? 0}`;
  }
  return '<unknown>';
}
