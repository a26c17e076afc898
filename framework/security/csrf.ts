import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Session } from './session';

const TOKEN_BYTES = 32;
export const CSRF_SESSION_KEY = '_csrf';
export const CSRF_FIELD = 'authenticity_token';

/** The session's CSRF secret, created on first use. */
export function sessionToken(session: Session): Buffer {
  let t = session.get<string>(CSRF_SESSION_KEY);
  if (!t) {
    t = randomBytes(TOKEN_BYTES).toString('base64url');
    session.set(CSRF_SESSION_KEY, t);
  }
  return Buffer.from(t, 'base64url');
}

/**
 * A per-render form token: a random pad and the session token XOR the pad, so the token in the page
 * differs on every render (no BREACH-style compression oracle) while it verifies against the session.
 */
export function maskedToken(session: Session): string {
  const token = sessionToken(session);
  const pad = randomBytes(TOKEN_BYTES);
  const masked = Buffer.alloc(TOKEN_BYTES);
  for (let i = 0; i < TOKEN_BYTES; i++) masked[i] = token[i]! ^ pad[i]!;
  return Buffer.concat([pad, masked]).toString('base64url');
}

export function verifyToken(session: Session, candidate: unknown): boolean {
  const stored = session.get<string>(CSRF_SESSION_KEY);
  if (!stored || typeof candidate !== 'string' || candidate.length > 200) return false;
  const raw = Buffer.from(candidate, 'base64url');
  // Only the one text this app writes for those bytes: base64's last character has spare bits, and a
  // decoder also skips characters outside the alphabet, so other texts decode to the same token.
  if (raw.length !== TOKEN_BYTES * 2 || raw.toString('base64url') !== candidate) return false;
  const token = Buffer.alloc(TOKEN_BYTES);
  for (let i = 0; i < TOKEN_BYTES; i++) token[i] = raw[i]! ^ raw[i + TOKEN_BYTES]!;
  const expected = Buffer.from(stored, 'base64url');
  return expected.length === TOKEN_BYTES && timingSafeEqual(token, expected);
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * Whether a request must prove it came from a page this app rendered: every state-changing request that
 * carries cookies, and every state-changing request whose body a cross-site HTML form could have sent
 * (form encodings), cookies or not. JSON API calls without cookies are exempt: browsers cannot send
 * them cross-site without a CORS preflight. A body-less POST counts as a form (a cross-site page can send one).
 */
export function csrfRequired(method: string, headers: Record<string, string | string[] | undefined>, contentType = headers['content-type']): boolean {
  if (headers.cookie) return true;
  const type = String(contentType ?? '').toLowerCase();
  if (type === '') return method === 'POST';
  return FORM_TYPES.some((t) => type.startsWith(t));
}

/** The origin a cross-site request came from, or undefined when it is same-origin or unknown. */
export function crossSiteOrigin(headers: Record<string, string | string[] | undefined>): string | undefined {
  if (headers['sec-fetch-site'] === 'cross-site') return String(headers.origin ?? 'another site');
  const origin = headers.origin;
  if (typeof origin !== 'string' || origin === 'null') return origin === 'null' ? 'an opaque origin' : undefined;
  const host = headers.host;
  try {
    return new URL(origin).host === host ? undefined : origin;
  } catch {
    return origin;
  }
}
