import { Authenticator, type AuthContext, type UserResolver } from 'stryke';

export interface FakeUser { id: number; name: string }

/** Counts its calls: the framework resolves the user at most once per request, and not without a cookie. */
export const calls = { count: 0 };

/** Users from the cookie session's `uid` (no database): the framework side of authentication alone. */
@Authenticator({ signInPath: '/login' })
export class FixtureAuthenticator implements UserResolver<FakeUser> {
  async resolve({ session }: AuthContext): Promise<FakeUser | null> {
    calls.count++;
    const uid = session.get('uid');
    return typeof uid === 'number' ? { id: uid, name: `user ${uid}` } : null;
  }
}
