import { defineError } from '../support';

export const AuthErrors = {
  REQUIRED: defineError('STRYKE_E_AUTH_REQUIRED', 'Authentication required: sign in first (this action is marked @RequireAuth()).', 401),
  FORBIDDEN: defineError('STRYKE_E_AUTH_FORBIDDEN', '%s', 403),
  NO_AUTHENTICATOR: defineError('STRYKE_E_AUTH_NO_AUTHENTICATOR', '%s is marked @RequireAuth() (%s) but the app has no @Authenticator() class to find the signed-in user. Run `stryke generate auth`, or declare one (see docs/authentication.md).'),
  MANY_AUTHENTICATORS: defineError('STRYKE_E_AUTH_MANY_AUTHENTICATORS', 'The app declares two @Authenticator() classes, %s (%s) and %s (%s): keep one.'),
  BAD_AUTHENTICATOR: defineError('STRYKE_E_AUTH_BAD_AUTHENTICATOR', '@Authenticator() class %s (%s) %s'),
  PASSWORD_TOO_LONG: defineError('STRYKE_E_AUTH_PASSWORD_TOO_LONG', 'A password of %s bytes was refused before hashing: the most is %s bytes. Validate the record first (save() reports it as a validation error).', 422),
  WEAK_HASHING: defineError('STRYKE_E_AUTH_WEAK_HASHING', 'Password hashing parameters %s are below OWASP\'s minimum for Argon2id (memoryCost 19456 KiB, timeCost 2, parallelism 1): raise them.'),
  BAD_PASSWORD_FIELD: defineError('STRYKE_E_AUTH_BAD_PASSWORD_FIELD', '@Password() on %s.%s: %s'),
};
