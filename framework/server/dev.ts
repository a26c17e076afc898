import { startDevCompiler, type LastChange } from './dev-compiler';
import { WorkerSwapper } from './dev-swapper';
import { watchAppFolders, WATCHED } from './dev-watcher';

export { WATCHED };

export interface DevOptions {
  root: string;
  /** The stryke CLI script the workers run (`stryke server`). */
  bin: string;
  port: number;
  host: string;
  log?: (line: string) => void;
}

/**
 * `stryke dev`: a primary that holds the listening socket and one worker that serves. Three parts:
 * - the swapper (dev-swapper.ts) boots a new worker beside the old one and retires the old one once the
 *   new one listens, so no request is refused;
 * - the compiler (dev-compiler.ts) compiles TypeScript in this process by the compiler's watch API
 *   (incremental: only what changed is re-checked and re-emitted), asks for a swap after each pass, and
 *   transpiles a changed file ahead so that a spare boots from it during the check;
 * - the watcher (dev-watcher.ts) routes each change: .ts to the compiler, a view recompiled in place, a
 *   config file swapped in, public/ only reloading the browsers.
 * A compile or boot error is printed with file and line, and served as the page until a fix boots.
 */
export function runDev(options: DevOptions): { close(): Promise<void> } {
  const log = options.log ?? ((l: string) => console.log(l));
  const swapper = new WorkerSwapper({ ...options, log });
  swapper.prepareSpare(); // loads the framework while the first compile runs
  const last: LastChange = { at: Date.now(), file: 'start' };
  const compiler = startDevCompiler(options.root, swapper, last);
  if (!compiler) void swapper.replace('started', Date.now());
  const watcher = watchAppFolders(options.root, swapper, compiler, last);
  return {
    async close() {
      const closing = swapper.close();
      compiler?.close();
      watcher.close();
      await closing;
    },
  };
}
