import type { FastifyRequest } from 'fastify';
import type { AppContainer } from '../di/internal';
import type { AuthenticatorDecl } from '../registry';
import type { RouteDef } from '../routing';
import type { SessionCodec } from '../security';
import { Session } from '../security';
import { AuthErrors } from './errors';
import type { AuthRuntime, UserResolver } from './guard';
import { dummyDigest } from './password';

/**
 * Builds the app's authenticator, once at boot: its class constructed with its services, checked for a
 * `resolve` method and a sign-in path on this host. Routes marked `@RequireAuth()` in an app without one
 * fail boot, naming the route.
 */
export function buildAuthRuntime(decls: AuthenticatorDecl[], routes: RouteDef[], container: AppContainer): AuthRuntime | undefined {
  if (decls.length > 1) throw AuthErrors.MANY_AUTHENTICATORS(decls[0]!.target.name, decls[0]!.source, decls[1]!.target.name, decls[1]!.source);
  const decl = decls[0];
  if (!decl) {
    const guarded = routes.find((r) => r.auth === 'require');
    if (guarded) throw AuthErrors.NO_AUTHENTICATOR(`${guarded.controller.name}#${guarded.action} (${guarded.method} ${guarded.path})`, guarded.source);
    return undefined;
  }
  const instance = new decl.target(...container.argumentsFor(decl.target)) as UserResolver;
  if (typeof instance.resolve !== 'function') throw AuthErrors.BAD_AUTHENTICATOR(decl.target.name, decl.source, 'has no resolve({ session, request }) method.');
  if (!decl.signInPath.startsWith('/') || decl.signInPath.startsWith('//')) {
    throw AuthErrors.BAD_AUTHENTICATOR(decl.target.name, decl.source, `has signInPath "${decl.signInPath}": give a path on this host, starting with one "/".`);
  }
  // The digest an unknown user's password is checked against: a constant on the default parameters (no Argon2 at
  // boot); with others, made just after boot (on a libuv thread) so the first sign-in does not pay for it.
  setTimeout(() => void dummyDigest(), 0).unref();
  return {
    signInPath: decl.signInPath,
    resolve: async (ctx) => (await instance.resolve(ctx)) ?? null,
  };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const prefix = `${name}=`;
  for (const part of header.split(';')) {
    const p = part.trim();
    if (p.startsWith(prefix)) return p.slice(prefix.length);
  }
  return undefined;
}

/** What resolving a user outside a controller needs of the app (its runtime has all of it). */
export interface AuthSource {
  auth?: AuthRuntime;
  sessions: SessionCodec;
  sessionCookie: { name: string };
}

/**
 * The signed-in user of any request (a WebSocket upgrade, a middleware), through the app's authenticator:
 * reads the encrypted session cookie and asks the authenticator. Null when nobody is signed in or the app
 * has no authenticator.
 */
export async function currentUserOf(app: AuthSource, request: FastifyRequest): Promise<unknown> {
  if (!app.auth) return null;
  const session = new Session(app.sessions.decode(readCookie(request.headers.cookie, app.sessionCookie.name)));
  return app.auth.resolve({ session, request });
}
