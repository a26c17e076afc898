import { existsSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { DevCompiler, LastChange } from './dev-compiler';
import type { WorkerSwapper } from './dev-swapper';

/** The folders `stryke dev` watches. */
export const WATCHED = ['app', 'config', 'db', 'public'];

/** Files whose change means nothing to the app: build output, databases and their journals, editor backups. */
function ignored(file: string): boolean {
  return /(^|\/)(build|dist|node_modules|tmp)\//.test(file) || /\.(sqlite3?|db)(-journal|-wal|-shm)?$/.test(file) || /(~|\.swp)$/.test(file);
}

/**
 * Watches the app's folders and says what each change needs: a .ts file goes to the compiler (a deleted
 * one's output is removed, and a worker swapped in); a view is recompiled in the serving worker; a config
 * or db file swaps in a new worker; a change under public/ only reloads the browsers. Returns a closer.
 */
export function watchAppFolders(root: string, swapper: WorkerSwapper, compiler: DevCompiler | undefined, last: LastChange): { close(): void } {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  for (const dir of WATCHED) {
    const full = join(root, dir);
    if (!existsSync(full)) continue;
    watchers.push(
      watch(full, { recursive: true }, (_event, name) => {
        if (!name) return;
        const file = `${dir}/${String(name).split('\\').join('/')}`;
        if (ignored(file)) return;
        last.at = Date.now();
        last.file = file;
        if (file.endsWith('.ts')) {
          // The compiler emits changed files; a deleted source's output is removed here.
          if (!existsSync(join(root, file))) {
            swapper.generation++;
            for (const ext of ['.js', '.js.map', '.d.ts']) rmSync(join(root, 'build', file.replace(/\.ts$/, ext)), { force: true });
            clearTimeout(timer);
            timer = setTimeout(() => void swapper.replace(`${file} removed`, last.at), 30);
          } else if (!file.endsWith('.d.ts')) {
            compiler?.changed(file);
          }
          return;
        }
        if (dir !== 'public') swapper.generation++; // a worker booting ahead saw the folder before this
        if (dir === 'public') {
          clearTimeout(timer);
          timer = setTimeout(() => {
            swapper.reloadBrowsers(file);
            swapper.log(`stryke dev: ${file} changed: browsers reloaded`);
          }, 30);
          return;
        }
        if (swapper.problem?.title.startsWith('TS')) return; // the code does not compile: a view change cannot help
        clearTimeout(timer);
        if (dir === 'app' && file.endsWith('.hbs') && swapper.canRecompileViews) {
          timer = setTimeout(() => void swapper.recompileViews(file, last.at), 15);
          return;
        }
        timer = setTimeout(() => void swapper.replace(`${file} changed`, last.at), 30);
      }),
    );
  }
  return {
    close() {
      for (const w of watchers) w.close();
    },
  };
}
