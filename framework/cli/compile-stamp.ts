import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Whether an app's build/ is up to date, answered without starting the compiler. Starting `tsc` costs a
 * second on an idle machine and many on a busy one even when it then finds nothing to do, and one `npm start`
 * used to pay it three times (db prepare's migrate and seed, then start). After a clean compile stryke writes
 * build/.stryke-compiled, naming the source files it compiled; the build is fresh while the same sources exist
 * (none added, deleted or renamed) and none of them (the .ts files under app/, config/, db/ and test/,
 * tsconfig.json, package.json, a referenced project's sources) nor the framework's own types changed since.
 */
export const STAMP = join('build', '.stryke-compiled');

const SOURCE_DIRS = ['app', 'config', 'db', 'test'];
const SKIP = new Set(['node_modules', 'build', 'dist', '.git']);
const SOURCE = /\.(?:[cm]?ts|tsx)$/;

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Every source file under `dir`, with the newest modification time among them. */
function sourcesUnder(dir: string, into: { files: string[]; newest: number }): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (SKIP.has(name)) continue;
    const full = join(dir, name);
    let st;
    try {
      st = statSync(full);
    } catch {
      continue;
    }
    if (st.isDirectory()) sourcesUnder(full, into);
    else if (SOURCE.test(name)) {
      into.files.push(full);
      into.newest = Math.max(into.newest, st.mtimeMs);
    }
  }
}

/** The projects a tsconfig.json references (`"references": [{ "path": "../framework" }]`). */
function references(root: string): string[] {
  let text: string;
  try {
    text = readFileSync(join(root, 'tsconfig.json'), 'utf8');
  } catch {
    return [];
  }
  const section = /"references"\s*:\s*\[([\s\S]*?)\]/.exec(text)?.[1] ?? '';
  return [...section.matchAll(/"path"\s*:\s*"([^"]+)"/g)].map((m) => resolve(root, m[1]!));
}

/** What an app's compile depends on: its source files (as one digest of their paths) and the newest change among them. */
function sources(root: string): { digest: string; newest: number } {
  const found = { files: [] as string[], newest: Math.max(mtime(join(root, 'tsconfig.json')), mtime(join(root, 'package.json'))) };
  for (const dir of SOURCE_DIRS) sourcesUnder(join(root, dir), found);
  for (const ref of references(root)) sourcesUnder(ref, found);
  // The framework's own types (a rebuilt or upgraded stryke).
  found.newest = Math.max(found.newest, mtime(join(__dirname, '..', 'index.d.ts')));
  return { digest: createHash('sha256').update(found.files.sort().join('\n')).digest('hex'), newest: found.newest };
}

/** True when build/ holds a clean compile of the app's current sources. */
export function isCompiled(root: string): boolean {
  const file = join(root, STAMP);
  const stamp = mtime(file);
  if (!stamp) return false;
  const now = sources(root);
  try {
    return now.newest < stamp && readFileSync(file, 'utf8').trim() === now.digest;
  } catch {
    return false;
  }
}

/** Records a clean compile that started at `startedAt` (not when a source changed while it ran). */
export function markCompiled(root: string, startedAt: number): void {
  const now = sources(root);
  if (now.newest >= startedAt) return;
  const file = join(root, STAMP);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${now.digest}\n`);
}
