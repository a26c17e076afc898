import { Authenticator, type AuthContext, type UserResolver } from 'stryke';

/** The signed-in user is whoever the `x-user` header names (no sessions, no database): enough to count per user. */
@Authenticator({ signInPath: '/login' })
export class HeaderAuthenticator implements UserResolver<{ id: string }> {
  async resolve({ request }: AuthContext): Promise<{ id: string } | null> {
    const name = request.headers['x-user'];
    return typeof name === 'string' && name !== '' ? { id: name } : null;
  }
}
