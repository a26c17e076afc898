import { Authenticator, type AuthContext, type UserResolver } from 'stryke';

export class FixtureUser {
  constructor(readonly id: number) {}
  /** The dashboard's `admin = "isAdmin"`: user 1 only. */
  isAdmin(): boolean {
    return this.id === 1;
  }
}

/** Users from the cookie session's `uid` (no database). */
@Authenticator({ signInPath: '/login' })
export class DashboardFixtureAuthenticator implements UserResolver<FixtureUser> {
  async resolve({ session }: AuthContext): Promise<FixtureUser | null> {
    const uid = session.get('uid');
    return typeof uid === 'number' ? new FixtureUser(uid) : null;
  }
}
