import type { FastifyRequest } from 'fastify';
import type { Session } from '../security';
import { AuthErrors } from './errors';

/** What the app's authenticator is given: the request's cookie session and the request. */
export interface AuthContext {
  session: Session;
  request: FastifyRequest;
}

/** The contract of an `@Authenticator()` class. */
export interface UserResolver<U = unknown> {
  /** The signed-in user of this request, or null. Called at most once per request. */
  resolve(ctx: AuthContext): Promise<U | null> | U | null;
}

/** The app's authenticator as the request path uses it (built at boot). */
export interface AuthRuntime {
  resolve(ctx: AuthContext): Promise<unknown>;
  signInPath: string;
}

/** The session key under which a denied GET remembers its path, for after sign-in (`takeReturnTo`). */
export const RETURN_TO_KEY = 'returnTo';

/** What the guard needs of a controller (ActionController has all of it). */
export interface Guarded {
  request: FastifyRequest;
  session: Session;
  format: string;
  resolveCurrentUser(): Promise<unknown>;
  redirectTo(url: string, options?: { alert?: string }): unknown;
}

/**
 * The auth step of one route, built at boot (null when the route needs none): resolves the current user
 * when the request carries a cookie (no cookie, no session, nobody signed in: nothing to look up) and, for
 * `@RequireAuth()`, turns away a request without one: JSON gets 401 (STRYKE_E_AUTH_REQUIRED), HTML a redirect
 * to the sign-in page with a flash, a GET remembering its path in the session.
 */
export function authStep(mode: 'require' | 'allow' | undefined, auth: AuthRuntime | undefined): ((c: Guarded) => Promise<void>) | null {
  if (!auth) return null;
  if (mode !== 'require') {
    return async function optionalUser(c) {
      if (c.request.headers.cookie) await c.resolveCurrentUser();
    };
  }
  const signIn = auth.signInPath;
  return async function requireUser(c) {
    const user = c.request.headers.cookie ? await c.resolveCurrentUser() : null;
    if (user) return;
    const req = c.request;
    if (c.format === 'json' || String(req.headers['content-type'] ?? '').includes('json')) throw AuthErrors.REQUIRED();
    if (req.method === 'GET' || req.method === 'HEAD') {
      const back = safeReturnTo(req.url);
      if (back) c.session.set(RETURN_TO_KEY, back);
    }
    c.redirectTo(signIn, { alert: 'Please sign in to continue.' });
  };
}

/** A path on this host (`/posts/1?x=2`), or undefined for anything that could leave it (`//evil.com`, `/\evil.com`, a scheme, control characters). */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  return value;
}

/**
 * Where to go after signing in: the path a denied request remembered (removed from the session), or
 * `fallback`. Read it before `session.reset()`.
 * @example const back = takeReturnTo(this.session, '/');
 */
export function takeReturnTo(session: Session, fallback: string): string {
  const back = safeReturnTo(session.get(RETURN_TO_KEY));
  session.delete(RETURN_TO_KEY);
  return back ?? fallback;
}
