/**
 * The runtime side of a bundled build (`stryke build`: framework/server/bundle.ts). A bundle holds the app's
 * compiled modules (`build/app/**`, `build/config/*`, the precompiled views, the migrations, the seeds) beside
 * the framework; the framework still asks for them by path (the loader walks `build/app`, the view engine and
 * the migration runner require their files), always through `requireAppFile` (support/app-modules.ts), which
 * answers the files registered here from the bundle. Node's module loader is not patched.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerAppModules, type ModuleTable } from '../support';
import { ServerErrors } from './errors';

export type { ModuleTable };

const LOADING = Symbol.for('stryke.bundled.loading');

/**
 * The packages a single executable carries for a dependency that requires them by a name it computes
 * (TypeORM's database drivers): the executable's `require` (bundle.ts's banner) answers these names first.
 */
export const BUNDLED_PACKAGES = Symbol.for('stryke.bundled.packages');

/**
 * Registers the app's compiled files under `root` from `table` (and, for a single executable's `require`, the
 * `packages` by name), and lets each bundled app module say which file it is while it loads (registry/source.ts:
 * decorators record where a class was declared).
 */
export function installBundle(root: string, table: ModuleTable, packages: ModuleTable = {}): void {
  const loading: string[] = ((globalThis as Record<symbol, string[]>)[LOADING] ??= []);
  const g = globalThis as Record<string, unknown>;
  g.__strykeEnter = (rel: string) => loading.push(join(root, rel));
  g.__strykeLeave = () => loading.pop();
  registerAppModules(root, table);
  (globalThis as Record<symbol, ModuleTable>)[BUNDLED_PACKAGES] = packages;
}

/**
 * A native addon a single executable carries (`stryke build --single`): written once to a folder named by its
 * hash under the temporary directory (a `.node` file can only be loaded from a file), then loaded from there.
 */
export function loadEmbeddedAddon(name: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const sea = require('node:sea') as { getRawAsset(key: string): ArrayBuffer };
  const bytes = Buffer.from(sea.getRawAsset(`native/${name}`));
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const hash = digest(bytes);
  const dir = join(process.env.STRYKE_NATIVE_DIR ?? tmpdir(), `stryke-native-${hash.slice(0, 16)}`);
  const file = join(dir, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A shared temporary directory: the folder must be this user's alone, and a file found there the very bytes carried.
  const st = statSync(dir);
  if ((process.getuid && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) throw ServerErrors.NATIVE_DIR(dir);
  let found: Buffer | undefined;
  try {
    found = readFileSync(file);
  } catch {
    /* first run */
  }
  if (!found || digest(found) !== hash) {
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, bytes, { mode: 0o500 });
    renameSync(partial, file);
  }
  const mod = { exports: {} as unknown };
  process.dlopen(mod, file);
  return mod.exports;
}
