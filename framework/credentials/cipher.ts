import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// smol-toml ships a CommonJS build; its typings are ESM-only, so take the types and require the CJS.
const toml = require('smol-toml') as typeof import('smol-toml', { with: { 'resolution-mode': 'import' } });

export type Tree = { [key: string]: unknown };

/** Each encrypted value: `enc:v1:` and base64 of IV (12 bytes), ciphertext, GCM tag (16 bytes). */
export const PREFIX = 'enc:v1:';
const IV = 12;
const TAG = 16;

export function isTable(v: unknown): v is Tree {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

/** The associated data of a value: its key path, so a value moved to another key no longer decrypts. */
function aad(path: string[]): Buffer {
  return Buffer.from(JSON.stringify(path), 'utf8');
}

/** A value as TOML text (`v = ...`): strings, numbers, booleans, dates, arrays and inline tables round-trip. */
function plainOf(value: unknown): string {
  return toml.stringify({ v: value });
}

export function encryptValue(key: Buffer, path: string[], value: unknown): string {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(path));
  const body = Buffer.concat([cipher.update(plainOf(value), 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

/** The value, or undefined when the key is wrong or the value (or its key path) was changed. */
export function decryptValue(key: Buffer, path: string[], sealed: string): unknown {
  const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
  if (raw.length < IV + TAG) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV));
    decipher.setAAD(aad(path));
    decipher.setAuthTag(raw.subarray(raw.length - TAG));
    const text = Buffer.concat([decipher.update(raw.subarray(IV, raw.length - TAG)), decipher.final()]).toString('utf8');
    return (toml.parse(text) as Tree).v;
  } catch {
    return undefined;
  }
}

/** Every leaf (a value that is not a table) with its key path. */
export function* leaves(tree: Tree, path: string[] = []): Generator<[string[], unknown]> {
  for (const [k, v] of Object.entries(tree)) {
    if (isTable(v)) yield* leaves(v, [...path, k]);
    else yield [[...path, k], v];
  }
}

function setPath(tree: Tree, path: string[], value: unknown): void {
  let node = tree;
  for (const k of path.slice(0, -1)) node = (isTable(node[k]) ? node[k] : (node[k] = {})) as Tree;
  node[path[path.length - 1]!] = value;
}

function getPath(tree: Tree | undefined, path: string[]): unknown {
  let node: unknown = tree;
  for (const k of path) node = isTable(node) ? node[k] : undefined;
  return node;
}

/** Sorted keys, values before tables: the same tree always writes the same lines (smaller diffs, cleaner merges). */
function sorted(tree: Tree): Tree {
  const out: Tree = {};
  const keys = Object.keys(tree).sort();
  for (const k of keys) if (!isTable(tree[k])) out[k] = tree[k];
  for (const k of keys) if (isTable(tree[k])) out[k] = sorted(tree[k] as Tree);
  return out;
}

/**
 * Encrypts every value of a plaintext tree. A value whose plaintext is the same as in `previous` keeps its
 * ciphertext from `previousSealed`, so an edit changes only the lines of the values it changed.
 */
export function sealTree(key: Buffer, plain: Tree, previous?: { plain: Tree; sealed: Tree }): Tree {
  const out: Tree = {};
  for (const [path, value] of leaves(plain)) {
    const before = previous && getPath(previous.plain, path);
    const kept = before !== undefined && plainOf(before) === plainOf(value) ? getPath(previous!.sealed, path) : undefined;
    setPath(out, path, typeof kept === 'string' ? kept : encryptValue(key, path, value));
  }
  return sorted(out);
}

export type OpenResult = { plain: Tree } | { failed: string[][]; total: number; plain?: undefined } | { notEncrypted: string[]; plain?: undefined };

/** Decrypts every value; says which did not decrypt (all of them: a wrong key) or which were never encrypted. */
export function openTree(key: Buffer, sealed: Tree): OpenResult {
  const plain: Tree = {};
  const failed: string[][] = [];
  let total = 0;
  for (const [path, value] of leaves(sealed)) {
    total++;
    if (typeof value !== 'string' || !value.startsWith(PREFIX)) return { notEncrypted: path };
    const v = decryptValue(key, path, value);
    if (v === undefined) failed.push(path);
    else setPath(plain, path, v);
  }
  return failed.length ? { failed, total } : { plain: sorted(plain) };
}

export function stringify(tree: Tree): string {
  return toml.stringify(tree);
}

export function parse(text: string): Tree {
  return toml.parse(text) as Tree;
}
