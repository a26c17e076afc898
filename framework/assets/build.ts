import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import zlib from 'node:zlib';
import { walkFiles } from '../support';
import type { AssetManifest, ManifestEntry } from './manifest';

/** Types worth precompressing (images, fonts and archives are compressed already). */
const COMPRESSIBLE = /\.(css|js|mjs|map|json|html?|txt|xml|svg|ico|webmanifest|wasm|csv|md|ttf|otf|eot)$/i;
/** Below this, a compressed variant saves less than its headers cost. */
const MIN_COMPRESS = 256;

export interface AssetBuildResult {
  manifest: AssetManifest;
  /** Per logical file: its size and its variants' sizes, for the build's summary. */
  report: { name: string; path: string; size: number; br?: number; gzip?: number }[];
}

function fingerprint(rel: string, hash: string): string {
  const ext = posix.extname(rel);
  return `${rel.slice(0, rel.length - ext.length)}-${hash}${ext}`;
}

/** In CSS, `url(...)` to another file of public/ becomes its fingerprinted path (relative to the CSS). */
function rewriteCss(css: string, rel: string, paths: Map<string, string>): string {
  return css.replace(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g, (whole, quote: string, ref: string) => {
    if (/^([a-z]+:|\/\/|#)/i.test(ref)) return whole;
    const [pathPart, suffix = ''] = ref.split(/(?=[?#])/);
    const target = pathPart!.startsWith('/') ? pathPart!.slice(1) : posix.normalize(posix.join(posix.dirname(rel), pathPart!));
    const mapped = paths.get(target);
    if (!mapped) return whole;
    const out = pathPart!.startsWith('/') ? `/${mapped}` : posix.relative(posix.dirname(rel), mapped);
    return `url(${quote}${out}${suffix}${quote})`;
  });
}

/**
 * Copies `public/` into `outDir`: every file under its own name and under a name with its content hash
 * (`app-3f9a1c2b5d7e9f01.css`), with brotli (`.br`) and gzip (`.gz`) variants beside the fingerprinted
 * copy when they are smaller. CSS is processed last so its `url(...)` references point at fingerprinted
 * files. Returns the manifest (logical name to fingerprinted file).
 */
export function buildAssets(publicDir: string, outDir: string): AssetBuildResult {
  const files = walkFiles(publicDir, () => true)
    .map((f) => relative(publicDir, f).split(sep).join('/'))
    .filter((rel) => !rel.split('/').some((s) => s.startsWith('.')));
  files.sort((a, b) => Number(a.endsWith('.css')) - Number(b.endsWith('.css')) || a.localeCompare(b));
  const manifest: AssetManifest = { version: 1, files: {} };
  const paths = new Map<string, string>();
  const report: AssetBuildResult['report'] = [];
  for (const rel of files) {
    let content = readFileSync(join(publicDir, rel));
    if (rel.endsWith('.css')) content = Buffer.from(rewriteCss(content.toString('utf8'), rel, paths));
    const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
    const path = fingerprint(rel, hash);
    const write = (name: string, data: Buffer) => {
      mkdirSync(dirname(join(outDir, name)), { recursive: true });
      writeFileSync(join(outDir, name), data);
    };
    write(rel, content);
    write(path, content);
    const entry: ManifestEntry = { path, hash, size: content.length, encodings: [] };
    const line: AssetBuildResult['report'][number] = { name: rel, path, size: content.length };
    if (COMPRESSIBLE.test(rel) && content.length >= MIN_COMPRESS) {
      const br = zlib.brotliCompressSync(content, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length },
      });
      const gz = zlib.gzipSync(content, { level: 9 });
      for (const [enc, data, ext] of [['br', br, '.br'], ['gzip', gz, '.gz']] as const) {
        if (data.length < content.length) {
          write(path + ext, data);
          write(rel + ext, data);
          entry.encodings.push(enc);
          line[enc] = data.length;
        }
      }
    }
    manifest.files[rel] = entry;
    paths.set(rel, path);
    report.push(line);
  }
  return { manifest, report };
}
