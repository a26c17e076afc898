import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secret tokens for sessions and password resets: the holder gets `<id>.<secret>`, the database keeps only
 * the SHA-256 digest of the secret. A record is found by its id, then its digest compared in constant time,
 * so neither a stolen database nor the timing of a lookup gives a usable token.
 */

/** A new random secret (32 bytes, base64url) and the digest to store for it. */
export function newSecret(): { secret: string; digest: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, digest: digestSecret(secret) };
}

/** The SHA-256 digest (hex) of a secret: what the database stores. */
export function digestSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether `secret` matches the stored digest, compared in constant time. Anything not a string never matches. */
export function secretMatches(secret: unknown, digest: unknown): boolean {
  if (typeof secret !== 'string' || typeof digest !== 'string' || secret.length === 0 || secret.length > 256) return false;
  const a = Buffer.from(digestSecret(secret), 'hex');
  const b = Buffer.from(digest, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `<id>.<secret>`: what a cookie or an emailed link carries. */
export function formatToken(id: string | number, secret: string): string {
  return `${id}.${secret}`;
}

/**
 * Splits `<id>.<secret>`; null for anything else (a nested object or array from a request, a missing
 * part, an id that is not a plain integer or identifier).
 */
export function parseToken(value: unknown): { id: string; secret: string } | null {
  if (typeof value !== 'string' || value.length > 300) return null;
  const dot = value.indexOf('.');
  if (dot <= 0) return null;
  const id = value.slice(0, dot);
  const secret = value.slice(dot + 1);
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id) || !/^[A-Za-z0-9_-]{16,256}$/.test(secret)) return null;
  return { id, secret };
}
