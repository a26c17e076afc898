/**
 * Authentication: password fields (Argon2id), secret tokens, `@RequireAuth()` / `@AllowAnonymous()`, and
 * the `@Authenticator()` the app provides (`stryke generate auth` writes one; the framework knows no User
 * model). See docs/authentication.md.
 */
export { Password, type PasswordOptions } from './password-field';
export {
  hashPassword, verifyPassword, verifyDummy, needsRehash, configurePasswordHashing, passwordHashing, passwordTooLong,
  MAX_PASSWORD_BYTES, type PasswordHashing,
} from './password';
export { newSecret, digestSecret, secretMatches, formatToken, parseToken } from './tokens';
export { RequireAuth, AllowAnonymous, Authenticator, type AuthenticatorOptions } from './decorators';
export { authStep, safeReturnTo, takeReturnTo, RETURN_TO_KEY, type AuthContext, type UserResolver, type AuthRuntime } from './guard';
export { authModeOf } from './resolve';
export { buildAuthRuntime, currentUserOf, type AuthSource } from './boot';
export { AuthErrors } from './errors';

import { AuthErrors } from './errors';

/**
 * A 403 to throw when a signed-in user may not do this (`STRYKE_E_AUTH_FORBIDDEN`).
 * @example if (post.authorId !== this.currentUser.id) throw forbidden('Only the author may edit this post.');
 */
export function forbidden(message = 'You are not allowed to do that.') {
  return AuthErrors.FORBIDDEN(message);
}
