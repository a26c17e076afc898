import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { walkFiles } from '../support';
import { parseRange, rangeApplies } from '../support';
import type { AssetManifest } from './manifest';

type MimeTypes = { lookup(path: string): string | false; contentType(type: string): string | false };
/** mime-types (and its ~200 kB database), required with the first file served or indexed, not at boot. */
let mime: MimeTypes | undefined;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'public, max-age=0, must-revalidate';

/** One servable file: its path on disk, headers, and its precompressed variants. */
interface Entry {
  file: string;
  type: string;
  size: number;
  etag: string;
  cacheControl: string;
  variants: { encoding: 'br' | 'gzip'; file: string; size: number; etag: string }[];
}

export type Lookup = { entry: Entry } | { status: 403 | 404 };

const FORBIDDEN = { status: 403 } as const;
const MISSING = { status: 404 } as const;

/**
 * Turns a raw request path into the path segments of a file under public/, refusing anything that
 * could step outside: `..` and `.` segments (plain or percent-encoded), encoded slashes and backslashes,
 * NUL bytes, empty segments (`//etc/passwd`), and bad percent-encoding. Dotfiles are never served.
 */
export function safeSegments(rawUrl: string): string[] | { status: 403 | 404 } {
  const q = rawUrl.indexOf('?');
  const raw = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (!raw.startsWith('/') || raw.includes('\\') || raw.includes('\0') || /%(2f|5c|00)/i.test(raw)) return FORBIDDEN;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return FORBIDDEN;
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return FORBIDDEN;
  const segments = decoded.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s === '' && i === segments.length - 1) return MISSING;
    if (s === '..' || s === '.' || s === '') return FORBIDDEN;
    if (s.startsWith('.')) return MISSING;
  }
  return segments;
}

/**
 * The types of the files a web app serves most, exactly as mime-types answers them (test/assets/content-type.test.ts
 * compares): these need no mime-db, 230 KB of JSON that cost a worker 0.55 MiB of heap, and about 3 MiB of RSS
 * while parsed, when its public files were typed at boot. Any other extension asks mime-types.
 */
export const COMMON_TYPES: ReadonlyMap<string, string> = new Map([
  ['html', 'text/html; charset=utf-8'], ['htm', 'text/html; charset=utf-8'], ['css', 'text/css; charset=utf-8'],
  ['js', 'text/javascript; charset=utf-8'], ['mjs', 'text/javascript; charset=utf-8'], ['json', 'application/json; charset=utf-8'],
  ['map', 'application/json; charset=utf-8'], ['txt', 'text/plain; charset=utf-8'], ['xml', 'application/xml'],
  ['webmanifest', 'application/manifest+json; charset=utf-8'], ['svg', 'image/svg+xml'], ['png', 'image/png'],
  ['jpg', 'image/jpeg'], ['jpeg', 'image/jpeg'], ['gif', 'image/gif'], ['webp', 'image/webp'], ['avif', 'image/avif'],
  ['ico', 'image/vnd.microsoft.icon'], ['woff', 'font/woff'], ['woff2', 'font/woff2'], ['ttf', 'font/ttf'], ['otf', 'font/otf'],
  ['pdf', 'application/pdf'], ['wasm', 'application/wasm'], ['mp4', 'video/mp4'], ['webm', 'video/webm'], ['mp3', 'audio/mpeg'],
]);

export function contentType(path: string): string {
  const dot = path.lastIndexOf('.');
  if (dot > path.lastIndexOf('/') + 1) {
    const common = COMMON_TYPES.get(path.slice(dot + 1).toLowerCase());
    if (common) return common;
  }
  mime ??= require('mime-types') as MimeTypes;
  const t = mime.lookup(path);
  return t ? (mime.contentType(t) || t) : 'application/octet-stream';
}

/** Chooses a precompressed variant the client accepts (brotli first), honouring `q=0`. */
function pickVariant(entry: Entry, accept: string | undefined): Entry['variants'][number] | undefined {
  if (!accept || !entry.variants.length) return undefined;
  const accepted = new Set<string>();
  for (const part of accept.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    accepted.add(name!.trim());
  }
  for (const enc of ['br', 'gzip'] as const) {
    if (accepted.has(enc) || accepted.has('*')) {
      const v = entry.variants.find((x) => x.encoding === enc);
      if (v) return v;
    }
  }
  return undefined;
}

function matches(header: string | undefined, entry: Entry): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const tags = header.split(',').map((t) => t.trim().replace(/^W\//, ''));
  return tags.includes(entry.etag) || entry.variants.some((v) => tags.includes(v.etag));
}

/** Sends a file: 304 when the client has it, else the best variant it accepts, streamed from disk. */
export function sendEntry(entry: Entry, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (entry.variants.length) reply.header('vary', 'Accept-Encoding');
  reply.header('cache-control', entry.cacheControl);
  if (matches(req.headers['if-none-match'], entry)) {
    return reply.code(304).header('etag', entry.etag).send();
  }
  reply.header('accept-ranges', 'bytes');
  // A Range request (a video seeking, a resumed download) is answered from the identity bytes: 206 with
  // the range, 416 when it lies outside the file. If-Range with another version sends the whole file.
  const range = req.headers.range !== undefined && rangeApplies(req.headers['if-range'], entry.etag) ? parseRange(req.headers.range, entry.size) : undefined;
  if (range === 'unsatisfiable') {
    return reply.code(416).header('content-range', `bytes */${entry.size}`).type('text/plain; charset=utf-8').send('Range Not Satisfiable');
  }
  if (range) {
    reply.code(206).header('etag', entry.etag).header('content-type', entry.type)
      .header('content-range', `bytes ${range.start}-${range.end}/${entry.size}`).header('content-length', range.end - range.start + 1);
    if (req.method === 'HEAD') return reply.send();
    return reply.send(createReadStream(entry.file, { start: range.start, end: range.end }));
  }
  const variant = pickVariant(entry, req.headers['accept-encoding']);
  const file = variant?.file ?? entry.file;
  reply.header('etag', variant?.etag ?? entry.etag).header('content-type', entry.type).header('content-length', variant?.size ?? entry.size);
  if (variant) reply.header('content-encoding', variant.encoding);
  if (req.method === 'HEAD') return reply.send();
  return reply.send(createReadStream(file));
}

/**
 * The files of a build (`dist/public`): every file is known at boot, so a request is one Map lookup and
 * nothing outside the list can ever be opened. Fingerprinted names are cached forever (`immutable`); the
 * original names (`/robots.txt`, `/app.css`) are served too, revalidated by their strong ETag.
 */
export class BuiltFiles {
  private readonly entries = new Map<string, Entry>();

  constructor(publicDir: string, manifest: AssetManifest) {
    const fingerprinted = new Map<string, string>();
    for (const [logical, e] of Object.entries(manifest.files)) fingerprinted.set(e.path, logical);
    for (const file of walkFiles(publicDir, (n) => !n.endsWith('.gz') && !n.endsWith('.br'))) {
      const rel = relative(publicDir, file).split(sep).join('/');
      if (rel.split('/').some((s) => s.startsWith('.'))) continue;
      const logical = fingerprinted.get(rel) ?? rel;
      const info = manifest.files[logical];
      const size = statSync(file).size;
      const hash = info?.hash ?? createHash('sha256').update(`${rel}:${size}`).digest('hex').slice(0, 16);
      const variants: Entry['variants'] = [];
      for (const [encoding, ext] of [['br', '.br'], ['gzip', '.gz']] as const) {
        if (info?.encodings.includes(encoding) && existsSync(file + ext)) {
          variants.push({ encoding, file: file + ext, size: statSync(file + ext).size, etag: `"${hash}-${encoding}"` });
        }
      }
      this.entries.set(`/${rel}`, {
        file, type: contentType(rel), size, etag: `"${hash}"`, variants,
        cacheControl: fingerprinted.has(rel) ? IMMUTABLE : REVALIDATE,
      });
    }
  }

  lookup(rawUrl: string): Lookup {
    const segs = safeSegments(rawUrl);
    if (!Array.isArray(segs)) return segs;
    const entry = this.entries.get(`/${segs.join('/')}`);
    return entry ? { entry } : MISSING;
  }
}

/**
 * public/ in development: read from disk per request (a new file is served without a restart), with a
 * strong ETag from the content hash and `no-cache`, so the browser always revalidates.
 */
export class LiveFiles {
  private readonly root: string;
  private readonly hashes = new Map<string, { mtime: number; size: number; hash: string }>();

  constructor(publicDir: string) {
    this.root = realpathSync(publicDir);
  }

  lookup(rawUrl: string): Lookup {
    const segs = safeSegments(rawUrl);
    if (!Array.isArray(segs)) return segs;
    let file = join(this.root, ...segs);
    try {
      file = realpathSync(file);
    } catch {
      return MISSING;
    }
    if (!file.startsWith(this.root + sep)) return FORBIDDEN;
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) return MISSING;
    let known = this.hashes.get(file);
    if (!known || known.mtime !== st.mtimeMs || known.size !== st.size) {
      const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
      this.hashes.set(file, (known = { mtime: st.mtimeMs, size: st.size, hash }));
    }
    return { entry: { file, type: contentType(file), size: st.size, etag: `"${known.hash}"`, cacheControl: 'no-cache', variants: [] } };
  }
}
