import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetErrors } from './errors';

/** The file `stryke build` writes beside `dist/public/`: logical asset names to their fingerprinted files. */
export const MANIFEST_FILE = 'assets-manifest.json';

export interface ManifestEntry {
  /** The fingerprinted file, relative to public/: `app-3f9a1c2b5d7e9f01.css`. */
  path: string;
  /** The content hash (hex), which is also the strong ETag. */
  hash: string;
  size: number;
  /** Precompressed variants written beside the file (`br`, `gzip`). */
  encodings: string[];
}

export interface AssetManifest {
  version: 1;
  files: Record<string, ManifestEntry>;
}

/** Reads `<root>/assets-manifest.json` when the app runs from a build; undefined in development. */
export function loadAssetManifest(root: string): AssetManifest | undefined {
  const file = join(root, MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  let m: AssetManifest | null;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as AssetManifest | null;
  } catch (err) {
    throw AssetErrors.BAD_MANIFEST(file, (err as Error).message);
  }
  if (m?.version !== 1 || !m.files || typeof m.files !== 'object') throw AssetErrors.BAD_MANIFEST(file, 'unknown manifest version');
  return m;
}

export type AssetResolver = (name: string) => string;

/**
 * `assetPath('app.css')`: through the manifest (one Map lookup) when the app runs from a build, else the
 * file as it is in public/. A name that is neither in the manifest nor in public/ is an error that
 * names the path tried, so a typo fails the render instead of shipping a broken link.
 */
export function assetResolver(publicDir: string, manifest: AssetManifest | undefined): AssetResolver {
  if (manifest) {
    const urls = new Map(Object.entries(manifest.files).map(([name, e]) => [name, `/${e.path}`]));
    return (name) => {
      if (/^([a-z]+:)?\/\//i.test(name)) return name;
      const key = name.replace(/^\/+/, '');
      const url = urls.get(key);
      if (url === undefined) throw AssetErrors.NOT_FOUND(name, `${MANIFEST_FILE} (built from public/${key})`);
      return url;
    };
  }
  return (name) => {
    if (/^([a-z]+:)?\/\//i.test(name)) return name;
    const key = name.replace(/^\/+/, '');
    if (key.split('/').includes('..') || !existsSync(join(publicDir, key))) throw AssetErrors.NOT_FOUND(name, join(publicDir, key));
    return `/${key}`;
  };
}
