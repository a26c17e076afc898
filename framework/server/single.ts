/**
 * `stryke build --single`: one executable that serves the app, made with Node's single executable applications
 * (SEA, Node 20): the whole command line, framework, app code and packages bundled into one script
 * (bundle.ts, shape `single`), with V8's code cache, and native addons (better-sqlite3's, argon2's) carried as
 * assets; injected into a copy of this node binary with postject.
 *
 * It carries the app's files too (embedded-files.ts): the compiled code's tree (views, migrations, seeds),
 * public/ fingerprinted and precompressed, config/, db/schema.json. The binary alone runs in an empty folder,
 * which it takes as the app root (or `--root`): what it writes (the SQLite file under db/, uploads under
 * storage/) goes there, and config files put there replace the carried ones.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { bundleBuild, SERVER_BUNDLE, type BundleResult } from './bundle';
import { AssetErrors } from '../assets';
import { walkFiles } from '../support';
import { KEEP } from './dist';
import { EMBEDDED_INDEX, embeddedKey, type EmbeddedIndex } from './embedded-files';

/**
 * The fuse postject flips in node's binary so it runs the injected blob (node's documented sentinel). Joined at
 * run time: this module is inside the single executable's own script too, and postject refuses a binary in
 * which the sentinel occurs twice.
 */
const SEA_FUSE = ['NODE_SEA_FUSE', 'fce680ab2cc467b6e072b8b5df1996b2'].join('_');

export interface SingleResult extends BundleResult {
  /** The executable. */
  file: string;
  bytes: number;
  script: string;
  /** The app's files carried (embedded-files.ts), by path: their count and bytes. */
  carried: { files: number; bytes: number };
}

/**
 * The files of the assembled build in `out` the executable carries, by path relative to the app root, with
 * db/schema.json from `root`: not the folders a build keeps for the running app (the database, tmp/, log/...).
 */
export function carriedFiles(root: string, out: string, exclude: string[]): Map<string, string> {
  const skip = new Set(exclude.map((f) => resolve(f)));
  const files = new Map<string, string>();
  for (const file of walkFiles(out, () => true)) {
    const rel = relative(out, file).split(sep).join('/');
    const top = rel.split('/')[0]!;
    if (KEEP.has(top) || skip.has(resolve(file)) || rel.startsWith('.stryke-') || rel.endsWith('.map')) continue;
    if (rel === SERVER_BUNDLE || rel === 'server-bundle.js') continue;
    files.set(rel, file);
  }
  const schema = join(root, 'db', 'schema.json');
  if (existsSync(schema)) files.set('db/schema.json', schema);
  return files;
}

/** Why this node cannot make a single executable, or undefined when it can. */
export function seaUnsupported(node = process.execPath): string | undefined {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  if (major < 20 || (major === 20 && minor < 12)) return `Node ${process.versions.node} has no SEA assets (20.12 or later is needed)`;
  if (!['linux', 'darwin', 'win32'].includes(process.platform)) return `single executables are not supported on ${process.platform}`;
  try {
    if (!readFileSync(node).includes(SEA_FUSE)) return `${node} was built without single-executable support (no SEA fuse in the binary)`;
  } catch (err) {
    return `${node} cannot be read: ${(err as Error).message}`;
  }
  return undefined;
}

function run(cmd: string, args: string[], cwd: string): void {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (res.status !== 0) throw AssetErrors.BUILD_FAILED(`${basename(cmd)} ${args.join(' ')} failed:\n${`${res.stdout ?? ''}${res.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '').trim() || res.error?.message}`);
}

/** Writes the single executable of the assembled build in `out` (dist/): `<out>/<app name>` unless `target` is given. */
export async function buildSingle(root: string, out: string, target?: string): Promise<SingleResult> {
  const why = seaUnsupported();
  if (why) throw AssetErrors.BUILD_FAILED(`no single executable: ${why}`);
  const name = appName(root);
  const file = target ?? join(out, process.platform === 'win32' ? `${name}.exe` : name);
  const script = join(out, `.stryke-single-${process.pid}.js`);
  const blob = join(out, `.stryke-single-${process.pid}.blob`);
  const config = join(out, `.stryke-single-${process.pid}.json`);
  const indexFile = join(out, `.stryke-single-${process.pid}.index.json`);
  try {
    const carried = carriedFiles(root, out, [file]);
    const index: EmbeddedIndex = { files: Object.fromEntries([...carried].map(([rel, path]) => [rel, statSync(path).size])) };
    writeFileSync(indexFile, JSON.stringify(index));
    const bundled = await bundleBuild(out, 'single', script);
    const assets: Record<string, string> = Object.fromEntries(Object.entries(bundled.natives).map(([n, path]) => [`native/${n}`, path]));
    for (const [rel, path] of carried) assets[embeddedKey(rel)] = path;
    assets[EMBEDDED_INDEX] = indexFile;
    // useCodeCache: V8's compiled code for the script is carried too (measured in docs/deployment.md).
    writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets }, null, 2));
    run(process.execPath, ['--experimental-sea-config', config], out);
    rmSync(file, { force: true });
    copyFileSync(process.execPath, file);
    chmodSync(file, 0o755);
    const postject = require.resolve('postject/dist/cli.js');
    const macho = process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [];
    run(process.execPath, [postject, file, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE, ...macho], out);
    if (process.platform === 'darwin') spawnSync('codesign', ['--sign', '-', file]);
    const carriedBytes = Object.values(index.files).reduce((a, b) => a + b, 0);
    return { ...bundled, script, file, bytes: statSync(file).size, carried: { files: carried.size, bytes: carriedBytes } };
  } finally {
    for (const f of [script, blob, config, indexFile]) rmSync(f, { force: true });
  }
}

/** The executable's name: package.json's name (without a scope), else the app folder's. */
function appName(root: string): string {
  let name = basename(root);
  const pkg = join(root, 'package.json');
  if (existsSync(pkg)) {
    try {
      name = String((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name ?? name);
    } catch {
      /* the folder's name */
    }
  }
  return name.replace(/^@[^/]+\//, '').replace(/[^\w.-]/g, '-') || 'app';
}
