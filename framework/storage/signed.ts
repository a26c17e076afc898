import { createHmac, timingSafeEqual } from 'node:crypto';
import { StorageErrors } from './errors';
import { isKey } from './keys';
import { storageRuntime } from './runtime';
import { INLINE_TYPES } from './sniff';

/** Where signed blob URLs are served. */
export const BLOBS_PATH = '/stryke/blobs';

/** What a signed URL carries: everything serving needs, so a download reads no database row. */
export interface SignedBlob {
  key: string;
  service: string;
  contentType: string;
  byteSize: number;
  filename: string;
  disposition: 'inline' | 'attachment';
  /** Expiry, in seconds since the epoch. */
  expiresAt: number;
}

/** A stored file a URL can point at: a blob (an attachment's `blob`) or an Upload. */
export interface Servable {
  key: string;
  filename: string;
  contentType: string;
  byteSize?: number;
  size?: number;
  service: string | { name: string };
}

export interface UrlOptions {
  /** Seconds the URL stays valid (default: url_expires_in in config/storage.toml, 300). */
  expiresIn?: number;
  /** `attachment` to make the browser download it. `inline` is honoured only for types safe to show (never SVG or HTML). */
  disposition?: 'inline' | 'attachment';
}

function sign(payload: string, key: Buffer): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/**
 * A signed, expiring URL for a stored file: `/stryke/blobs/<payload>.<hmac>/<filename>`. The HMAC (keyed
 * from the app's secret) covers the key, the type, the size, the name, the disposition and the expiry, so
 * none can be changed; `verifySignedToken` checks it in constant time.
 * @example <img src="${urlFor(post.cover)}">   {{urlFor post "cover"}}
 */
export function signedUrl(file: Servable, options: UrlOptions = {}): string {
  const rt = storageRuntime('urlFor');
  const expiresIn = options.expiresIn ?? rt.settings.urlExpiresIn;
  const inlineSafe = INLINE_TYPES.has(file.contentType);
  const disposition = options.disposition === 'attachment' || !inlineSafe ? 'attachment' : 'inline';
  const body: SignedBlob = {
    key: file.key, service: typeof file.service === 'string' ? file.service : file.service.name, contentType: file.contentType,
    byteSize: Number(file.byteSize ?? file.size ?? 0), filename: file.filename, disposition,
    expiresAt: Math.floor(Date.now() / 1000) + Math.max(1, Math.floor(expiresIn)),
  };
  const payload = Buffer.from(JSON.stringify([body.key, body.service, body.contentType, body.byteSize, body.filename, body.disposition, body.expiresAt])).toString('base64url');
  return `${BLOBS_PATH}/${payload}.${sign(payload, rt.signingKey)}/${encodeURIComponent(file.filename)}`;
}

/** The blob a token names: STRYKE_E_STORAGE_URL_INVALID (404) when forged or altered, STRYKE_E_STORAGE_URL_EXPIRED (410) when late. */
export function verifySignedToken(token: string, key: Buffer, now = Date.now()): SignedBlob {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 4096) throw StorageErrors.URL_INVALID();
  const payload = token.slice(0, dot);
  // Compared as the text of the signature, not its decoded bytes: base64url's last character carries bits
  // the decoder ignores, and a token must have one spelling (a URL cache or a log can then trust it).
  const given = Buffer.from(token.slice(dot + 1), 'latin1');
  const expected = Buffer.from(sign(payload, key), 'latin1');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw StorageErrors.URL_INVALID();
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw StorageErrors.URL_INVALID();
  }
  if (!Array.isArray(fields) || fields.length !== 7) throw StorageErrors.URL_INVALID();
  const [k, service, contentType, byteSize, filename, disposition, expiresAt] = fields;
  if (!isKey(k) || typeof service !== 'string' || typeof contentType !== 'string' || typeof filename !== 'string' || typeof byteSize !== 'number' || typeof expiresAt !== 'number') throw StorageErrors.URL_INVALID();
  if (expiresAt * 1000 < now) throw StorageErrors.URL_EXPIRED();
  return { key: k, service, contentType, byteSize, filename, disposition: disposition === 'inline' ? 'inline' : 'attachment', expiresAt };
}
