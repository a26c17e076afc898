import { Authenticator, formatToken, newSecret, parseToken, secretMatches, type ActionController, type AuthContext, type UserResolver } from 'stryke';
import { Session } from '../models/session';
import { User } from '../models/user';

/**
 * Who is signed in, written by `stryke generate auth` (the app owns it). The encrypted cookie session holds
 * one thing, `<id>.<secret>` of a Session record; the record keeps only the secret's digest. Signing out
 * deletes the record, so an old copy of the cookie no longer signs anyone in.
 */

/** The cookie-session key of the Session token. */
export const SESSION_KEY = 'authSession';

/** How often a session's lastSeenAt is written (not on every request). */
const SEEN_EVERY_MS = 60_000;

/** A session unused for this long is over (signed out), wherever its cookie is: change it here. */
export const IDLE_LIMIT_MS = 30 * 24 * 60 * 60_000;

/**
 * The Session record a request's cookie names, if it still exists and its secret matches (compared in
 * constant time); null otherwise. A small function of the session and request: channels use it too.
 */
export async function resumeSession({ session, request }: AuthContext): Promise<Session | null> {
  const token = parseToken(session.get(SESSION_KEY));
  if (!token || !/^\d+$/.test(token.id)) return null;
  const record = await Session.findBy({ id: Number(token.id) });
  if (!record || !secretMatches(token.secret, record.tokenDigest)) return null;
  const idle = Date.now() - record.lastSeenAt.getTime();
  if (idle > IDLE_LIMIT_MS) {
    await record.destroy();
    return null;
  }
  if (idle > SEEN_EVERY_MS) {
    await record.updateColumns({ lastSeenAt: new Date(), ipAddress: request.ip ?? null });
  }
  return record;
}

/** The signed-in user of a request, or null: what `this.currentUser` and `{{currentUser}}` are. */
export async function currentUserFrom(ctx: AuthContext): Promise<User | null> {
  const record = await resumeSession(ctx);
  return record ? User.findBy({ id: record.userId }) : null;
}

/** The framework asks this class for the current user; unauthenticated pages go to signInPath. */
@Authenticator({ signInPath: '/session/new' })
export class Authentication implements UserResolver<User> {
  resolve(ctx: AuthContext): Promise<User | null> {
    return currentUserFrom(ctx);
  }
}

/**
 * Signs `user` in: ends the session the cookie had (if any), empties the cookie session (a fixed or
 * stolen pre-sign-in cookie is worth nothing), and starts a new Session record. Also what to call when
 * a user's privileges change: it rotates the session.
 */
export async function startSession(c: ActionController, user: User): Promise<Session> {
  const previous = await resumeSession({ session: c.session, request: c.request });
  if (previous) await previous.destroy();
  c.session.reset();
  const { secret, digest } = newSecret();
  const userAgent = String(c.request.headers['user-agent'] ?? '').slice(0, 255) || null;
  const record = await Session.create({ userId: user.id, tokenDigest: digest, userAgent, ipAddress: c.request.ip ?? null, lastSeenAt: new Date() });
  c.session.set(SESSION_KEY, formatToken(record.id, secret));
  c.currentUser = user;
  return record;
}

/** Signs this browser out: deletes its Session record and empties the cookie session. */
export async function endSession(c: ActionController): Promise<void> {
  const record = await resumeSession({ session: c.session, request: c.request });
  if (record) await record.destroy();
  c.session.reset();
  c.currentUser = null;
}

/** Signs `user` out everywhere: every browser's Session record goes. */
export async function endAllSessions(user: User): Promise<void> {
  await Session.where({ userId: user.id }).deleteAll();
}
