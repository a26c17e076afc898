/**
 * Authentication (`stryke/auth`): password fields (Argon2id), secret tokens, `@RequireAuth()` / `@AllowAnonymous()`, and
 * the `@Authenticator()` the app provides (`stryke generate auth` writes one; the framework knows no User
 * model). See docs/authentication.md. What the request pipeline, the route table and the app's boot need (the auth
 * step, each action's mode, the app's auth runtime) is in ./internal.ts.
 */
export { Password, type PasswordOptions } from './password-field';
export {
  hashPassword, verifyPassword, verifyDummy, needsRehash, configurePasswordHashing, passwordHashing, MAX_PASSWORD_BYTES,
  type PasswordHashing,
} from './password';
export { newSecret, digestSecret, secretMatches, formatToken, parseToken } from './tokens';
export { RequireAuth, AllowAnonymous, Authenticator, type AuthenticatorOptions } from './decorators';
export { safeReturnTo, takeReturnTo, type AuthContext, type UserResolver } from './guard';
export { currentUserOf } from './boot';
export { AuthErrors } from './errors';

import { AuthErrors } from './errors';

/**
 * A 403 to throw when a signed-in user may not do this (`STRYKE_E_AUTH_FORBIDDEN`).
 * @example if (post.authorId !== this.currentUser.id) throw forbidden('Only the author may edit this post.');
 */
export function forbidden(message = 'You are not allowed to do that.') {
  return AuthErrors.FORBIDDEN(message);
}
