/**
 * The app's files a single executable carries (`stryke build --single`, single.ts): the compiled code's file
 * tree (build/: app modules, precompiled views, migrations, seeds), the fingerprinted assets (public/ and their
 * manifest), config/, db/schema.json, package.json, the route manifest and the build's stamp. Each is a SEA
 * asset (`app/<path>`), listed in one more (`app/index.json`).
 *
 * The framework reads these by path under the app root (the loader walks build/app, the migration runner lists
 * build/db/migrations, config/*.toml are parsed, public/ is served), so at start the executable answers node's
 * fs calls for those paths from the carried bytes: the binary alone runs in an empty folder. What it writes (the
 * SQLite file, uploads under storage/, tmp/, log/) goes to disk under the same root, as in any build.
 *
 * Which wins when a file is also on disk beside the binary:
 * - the code and the assets (build/, public/, the asset manifest, the build stamp) are always the binary's own:
 *   a stale dist/ left beside a newer binary can never mix old modules or assets into it;
 * - every other carried file (config/*.toml, db/schema.json, package.json, routes.json) is replaced, whole, by a
 *   file of that name on disk: an operator edits config/database.toml beside the binary, or sets
 *   DATABASE_URL / `STRYKE_<FILE>__<KEY>` variables, as with any build. A folder lists both.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE } from '../assets';
import { BUILD_INFO_FILE } from './dist-info';

/** The asset listing the carried files: `{ files: { "<path>": size } }`. */
export const EMBEDDED_INDEX = 'app/index.json';
/** A carried file's asset key. */
export const embeddedKey = (rel: string): string => `app/${rel}`;

export interface EmbeddedIndex {
  files: Record<string, number>;
}

/** Carried paths that are always the binary's own (never replaced by a file on disk). */
export function ownedByBinary(rel: string): boolean {
  return rel === 'build' || rel.startsWith('build/') || rel === 'public' || rel.startsWith('public/')
    || rel === BUILD_INFO_FILE || rel === MANIFEST_FILE;
}

type Kind = 'file' | 'dir';
type AnyFn = (...args: any[]) => any;

/**
 * Answers fs reads of the carried files under `root` (sync, callback and promise forms of the calls the
 * framework and its packages make: exists, stat, lstat, access, readFile, readdir, realpath, createReadStream).
 * Anything else, and any path outside the carried tree, goes to the disk as before.
 */
export function installEmbeddedFiles(root: string, index: EmbeddedIndex, read: (rel: string) => Buffer): void {
  const sizes = new Map(Object.entries(index.files));
  const children = new Map<string, Set<string>>();
  for (const rel of sizes.keys()) {
    const parts = rel.split('/');
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!children.has(dir)) children.set(dir, new Set());
      children.get(dir)!.add(parts[i]!);
    }
  }
  const cache = new Map<string, Buffer>();
  const bytes = (rel: string): Buffer => {
    let b = cache.get(rel);
    if (!b) cache.set(rel, (b = read(rel)));
    return b;
  };

  const orig = {
    existsSync: fs.existsSync, statSync: fs.statSync, lstatSync: fs.lstatSync, accessSync: fs.accessSync, readFileSync: fs.readFileSync,
    readdirSync: fs.readdirSync, realpathSync: fs.realpathSync, realpathNative: fs.realpathSync.native, createReadStream: fs.createReadStream,
    stat: fs.stat, lstat: fs.lstat, access: fs.access, readFile: fs.readFile, readdir: fs.readdir,
    pStat: fs.promises.stat, pLstat: fs.promises.lstat, pAccess: fs.promises.access, pReadFile: fs.promises.readFile, pReaddir: fs.promises.readdir,
  };
  const onDisk = (abs: string) => orig.existsSync(abs);
  const base = orig.statSync(process.execPath);

  /** The carried path `p` names (relative, `/`-separated) and what it is, or undefined when the disk answers. */
  function lookup(p: unknown): { rel: string; abs: string; kind: Kind } | undefined {
    let path: string;
    if (typeof p === 'string') path = p;
    else if (p instanceof URL) path = p.protocol === 'file:' ? fileURLToPath(p) : '';
    else if (Buffer.isBuffer(p)) path = p.toString();
    else return undefined;
    if (!path) return undefined;
    const abs = resolve(path);
    const rel = relative(root, abs).split(sep).join('/');
    if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) return undefined;
    const kind: Kind | undefined = sizes.has(rel) ? 'file' : children.has(rel) ? 'dir' : undefined;
    if (!kind) return undefined;
    // A file on disk replaces a carried one unless the binary owns it; a folder the disk has too (config/, db/) is
    // listed from both (list()). The root itself is the folder on disk.
    if (kind === 'file' && !ownedByBinary(rel) && onDisk(abs)) return undefined;
    if (kind === 'dir' && rel === '') return undefined;
    return { rel, abs, kind };
  }

  function stats(found: { rel: string; kind: Kind }): fs.Stats {
    const size = found.kind === 'file' ? sizes.get(found.rel)! : 4096;
    const st = Object.create(Object.getPrototypeOf(base)) as fs.Stats;
    Object.assign(st, base, { size, blocks: Math.ceil(size / 512), nlink: 1, ino: 0, mode: found.kind === 'dir' ? 0o40555 : 0o100444 });
    return st;
  }

  function list(found: { rel: string; abs: string }, options: unknown): unknown[] {
    const names = new Set(children.get(found.rel));
    if (!ownedByBinary(found.rel) && onDisk(found.abs)) {
      for (const n of orig.readdirSync(found.abs)) names.add(n);
    }
    const sorted = [...names].sort();
    const withTypes = typeof options === 'object' && options !== null && (options as { withFileTypes?: boolean }).withFileTypes;
    if (!withTypes) return sorted;
    return sorted.map((name) => {
      const child = found.rel ? `${found.rel}/${name}` : name;
      const full = `${found.abs}${sep}${name}`;
      const dir = children.has(child) || (!sizes.has(child) && orig.statSync(full, { throwIfNoEntry: false })?.isDirectory());
      // node's own Dirent (its constructor is not in the typings): name, type (libuv's UV_DIRENT_DIR or _FILE), folder.
      const Dirent = fs.Dirent as unknown as new (name: string, type: number, path: string) => fs.Dirent;
      const types = fs.constants as unknown as { UV_DIRENT_DIR: number; UV_DIRENT_FILE: number };
      return new Dirent(name, dir ? types.UV_DIRENT_DIR : types.UV_DIRENT_FILE, found.abs);
    });
  }

  function content(found: { rel: string; abs: string; kind: Kind }, options: unknown): Buffer | string {
    if (found.kind === 'dir') throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${found.abs}'`), { code: 'EISDIR', errno: -21, syscall: 'read', path: found.abs });
    const b = bytes(found.rel);
    const encoding = (typeof options === 'string' ? options : (options as { encoding?: string } | undefined)?.encoding) as BufferEncoding | undefined;
    return encoding ? b.toString(encoding) : Buffer.from(b);
  }

  const patch = (target: Record<string, unknown>, name: string, fn: AnyFn) => {
    Object.defineProperty(target, name, { value: fn, writable: true, configurable: true, enumerable: true });
  };
  const callback = (args: unknown[]) => (typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as AnyFn) : undefined);

  patch(fs as any, 'existsSync', (p: fs.PathLike) => (lookup(p) ? true : orig.existsSync(p)));
  for (const name of ['statSync', 'lstatSync'] as const) {
    patch(fs as any, name, (p: fs.PathLike, options?: unknown) => {
      const f = lookup(p);
      return f ? stats(f) : (orig[name] as AnyFn)(p, options);
    });
  }
  patch(fs as any, 'accessSync', (p: fs.PathLike, mode?: number) => {
    if (lookup(p)) return undefined;
    return orig.accessSync(p, mode);
  });
  patch(fs as any, 'readFileSync', (p: any, options?: unknown) => {
    const f = lookup(p);
    return f ? content(f, options) : (orig.readFileSync as AnyFn)(p, options);
  });
  patch(fs as any, 'readdirSync', (p: fs.PathLike, options?: unknown) => {
    const f = lookup(p);
    return f && f.kind === 'dir' ? list(f, options) : (orig.readdirSync as AnyFn)(p, options);
  });
  const realpath = (original: AnyFn) => (p: fs.PathLike, options?: unknown) => {
    const f = lookup(p);
    return f && !onDisk(f.abs) ? f.abs : original(p, options);
  };
  const realpathSync = realpath(orig.realpathSync);
  patch(realpathSync as any, 'native', realpath(orig.realpathNative));
  patch(fs as any, 'realpathSync', realpathSync);
  patch(fs as any, 'createReadStream', (p: any, options?: any) => {
    const f = lookup(p);
    if (!f || f.kind !== 'file') return orig.createReadStream(p, options);
    const b = bytes(f.rel);
    const start = typeof options === 'object' && options?.start !== undefined ? options.start : 0;
    const end = typeof options === 'object' && options?.end !== undefined ? options.end + 1 : b.length;
    return Readable.from([b.subarray(start, end)], { objectMode: false });
  });

  // Callback forms.
  const async = (name: 'stat' | 'lstat' | 'access' | 'readFile' | 'readdir', answer: (f: NonNullable<ReturnType<typeof lookup>>, options: unknown) => unknown) => {
    patch(fs as any, name, (p: fs.PathLike, ...rest: unknown[]) => {
      const f = lookup(p);
      const cb = callback(rest);
      if (!f || !cb) return (orig[name] as AnyFn)(p, ...rest);
      let result: unknown;
      try {
        result = answer(f, rest.length > 1 ? rest[0] : undefined);
      } catch (err) {
        process.nextTick(cb, err);
        return;
      }
      process.nextTick(cb, null, result);
    });
  };
  async('stat', (f) => stats(f));
  async('lstat', (f) => stats(f));
  async('access', () => undefined);
  async('readFile', (f, o) => content(f, o));
  async('readdir', (f, o) => {
    if (f.kind !== 'dir') throw Object.assign(new Error(`ENOTDIR: not a directory, scandir '${f.abs}'`), { code: 'ENOTDIR', path: f.abs });
    return list(f, o);
  });

  // Promise forms (fs.promises and node:fs/promises are one object).
  const promised = (name: 'pStat' | 'pLstat' | 'pAccess' | 'pReadFile' | 'pReaddir', key: string, answer: (f: NonNullable<ReturnType<typeof lookup>>, options: unknown) => unknown) => {
    patch(fs.promises as any, key, async (p: any, options?: unknown) => {
      const f = lookup(p);
      return f ? answer(f, options) : (orig[name] as AnyFn)(p, options);
    });
  };
  promised('pStat', 'stat', (f) => stats(f));
  promised('pLstat', 'lstat', (f) => stats(f));
  promised('pAccess', 'access', () => undefined);
  promised('pReadFile', 'readFile', (f, o) => content(f, o));
  promised('pReaddir', 'readdir', (f, o) => list(f, o));
  // An ES module's `import { readFileSync } from 'node:fs'` sees the patched functions too.
  syncBuiltinESMExports();
}

/** In a single executable: the carried files under `root`, answered from its SEA assets (nothing when it carries none). */
export function installCarriedFiles(root: string): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const sea = require('node:sea') as { getAsset(key: string, encoding?: string): ArrayBuffer | string; getRawAsset(key: string): ArrayBuffer };
  let index: EmbeddedIndex;
  try {
    index = JSON.parse(sea.getAsset(EMBEDDED_INDEX, 'utf8') as string) as EmbeddedIndex;
  } catch {
    return;
  }
  // The asset's bytes where the executable holds them (no copy: nothing is read into the heap until asked, and a
  // large file costs no memory of its own); readFileSync hands out copies, streams read these bytes.
  installEmbeddedFiles(root, index, (rel) => Buffer.from(sea.getRawAsset(embeddedKey(rel))));
}
