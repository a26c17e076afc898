/**
 * The one way the framework requires the app's compiled files by path: the modules under `build/app` and
 * `build/config` (app/loader.ts), the admin's customisations, the precompiled views, the migrations and the
 * seeds. Unbundled, that is node's `require`. A bundled build (`stryke build`, server/bundle.ts) registers its
 * app modules here before the framework starts, and a file it holds is answered from the bundle: node's module
 * loader is left as it is.
 */
import { relative, sep } from 'node:path';

/** The bundle's app modules by path relative to the app root, `/`-separated: `build/app/models/post.js`. */
export type ModuleTable = Record<string, () => unknown>;

interface Registered {
  root: string;
  table: ModuleTable;
}

// On a global, as loaded.ts's flags are: one answer however many copies of this module a process holds.
const KEY = Symbol.for('stryke.appModules');
const state: { bundle?: Registered } = ((globalThis as Record<symbol, { bundle?: Registered }>)[KEY] ??= {});

/** The bundled app modules of the app at `root` (a bundle's entry calls this before the framework boots). */
export function registerAppModules(root: string, table: ModuleTable): void {
  state.bundle = { root, table };
}

/**
 * The exports of the app's compiled file `file` (an absolute path): from the bundle when it holds the file,
 * else node's `require`. `fresh` drops node's cached copy first (a bundled module is evaluated once).
 */
export function requireAppFile(file: string, options: { fresh?: boolean } = {}): any {
  const bundle = state.bundle;
  if (bundle !== undefined) {
    const rel = relative(bundle.root, file).split(sep).join('/');
    if (!rel.startsWith('..')) {
      const table = bundle.table;
      const own = (key: string) => (Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined);
      const found = own(rel) ?? own(`${rel}.js`);
      if (found) return found();
    }
  }
  if (options.fresh) delete require.cache[file];
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(file);
}
