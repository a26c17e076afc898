import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { deriveKey } from '../../security';
import { crossSiteOrigin } from '../../security';
import { JobsErrors } from '../errors';
import type { DashboardConfig } from './config';

/** What the dashboard needs of the app to let a person in. */
export interface DashboardAccess {
  config: DashboardConfig;
  /** The app's signed-in user (its @Authenticator over the session cookie), null when none. */
  currentUserOf(request: FastifyRequest): Promise<unknown>;
  signInPath?: string;
  secret: string;
  secure: boolean;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The token a request presents: `Authorization: Bearer <token>`, or the password of `Basic <user:token>`. */
function presentedToken(header: string | undefined): string | undefined {
  if (!header || header.length > 4096) return undefined;
  const [scheme, value] = header.split(' ', 2) as [string, string | undefined];
  if (!value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value.trim();
  if (scheme.toLowerCase() === 'basic') {
    const plain = Buffer.from(value.trim(), 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    return colon < 0 ? undefined : plain.slice(colon + 1);
  }
  return undefined;
}

/**
 * Lets a request in or throws: the configured token (compared in constant time), else the signed-in user
 * when `admin` names a method or property of it that is true (a method is called, and awaited).
 */
export async function admit(access: DashboardAccess, request: FastifyRequest): Promise<void> {
  const { token, admin } = access.config;
  const given = presentedToken(request.headers.authorization);
  if (token !== undefined && given !== undefined && timingSafeEqual(digest(given), digest(token))) return;
  if (admin !== undefined) {
    const user = (await access.currentUserOf(request)) as Record<string, unknown> | null;
    if (user && typeof user === 'object') {
      const rule = user[admin];
      const ok = typeof rule === 'function' ? await (rule as () => unknown).call(user) : rule;
      if (ok === true) return;
      throw JobsErrors.DASHBOARD_FORBIDDEN('you are signed in, but not as an admin');
    }
  }
  const ways = [token !== undefined ? 'the dashboard token' : '', admin !== undefined ? 'an admin signed in' : ''].filter(Boolean).join(' or ');
  throw JobsErrors.DASHBOARD_AUTH(ways);
}

const CSRF_COOKIE = '_stryke_jobs_csrf';

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const p = part.trim();
    if (p.startsWith(`${name}=`)) return p.slice(name.length + 1);
  }
  return undefined;
}

/**
 * CSRF for the dashboard's forms, whoever is signed in (a token holder has no session): a signed double
 * submit. A random nonce lives in a SameSite=Strict, HttpOnly cookie scoped to /stryke/jobs; each form
 * carries HMAC(key, nonce), which only this app can compute, so a planted cookie does not help an attacker.
 */
export class DashboardCsrf {
  private readonly key: Buffer;
  constructor(private readonly access: DashboardAccess) {
    this.key = deriveKey(access.secret, 'jobs dashboard csrf');
  }

  private sign(nonce: string): string {
    return createHmac('sha256', this.key).update(nonce).digest('base64url');
  }

  /** The form token for this request, setting the nonce cookie when the browser has none. */
  tokenFor(request: FastifyRequest, reply: FastifyReply): string {
    let nonce = readCookie(request.headers.cookie, CSRF_COOKIE);
    if (!nonce || !/^[\w-]{43}$/.test(nonce)) {
      nonce = randomBytes(32).toString('base64url');
      reply.header('set-cookie', `${CSRF_COOKIE}=${nonce}; Path=/stryke/jobs; HttpOnly; SameSite=Strict${this.access.secure ? '; Secure' : ''}`);
    }
    return this.sign(nonce);
  }

  /** Throws unless the request is same-site and carries the token of its nonce cookie. */
  verify(request: FastifyRequest): void {
    const nonce = readCookie(request.headers.cookie, CSRF_COOKIE);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const given = typeof body.authenticity_token === 'string' ? body.authenticity_token : request.headers['x-csrf-token'];
    if (crossSiteOrigin(request.headers) !== undefined || !nonce || typeof given !== 'string' || given.length > 100) throw JobsErrors.DASHBOARD_CSRF();
    const expected = Buffer.from(this.sign(nonce));
    const actual = Buffer.from(given);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw JobsErrors.DASHBOARD_CSRF();
  }
}
