import { GeneratorErrors } from './errors';
import type { GeneratorDef } from './generate';
import { isApiApp } from './generate';
import { migrationVersion } from './migrations';

/** The one migration `generate auth` writes (users, sessions, password_resets). */
export const AUTH_MIGRATION = 'create_authentication';

/** The locals of schematics/auth: the migration's version (its existing one when run again). */
export function authLocals(root: string): Record<string, unknown> {
  return { version: migrationVersion(root, AUTH_MIGRATION) };
}

/**
 * `stryke generate auth`: authentication whose code the app owns (Rails 8's approach). Writes the User,
 * Session and PasswordReset models and their migration, the authenticator (app/auth), the sessions,
 * registrations and passwords controllers with their views, and the app's tests for them.
 */
export const AUTH_GENERATOR: Record<string, GeneratorDef> = {
  auth: {
    summary: 'sign-up, sign-in, sign-out and password reset: User and Session models, controllers, views and tests the app owns',
    usage: 'auth',
    example: 'stryke generate auth',
    nameless: true,
    prepare(_name, args, root, mode) {
      if (args.length) throw GeneratorErrors.AUTH_ARGS(args.join(' '));
      if (mode === 'generate' && isApiApp(root)) throw GeneratorErrors.AUTH_API_APP();
      return {
        schematics: ['auth', 'mailer-base'],
        locals: authLocals(root),
        notes: mode === 'generate' ? [
          'run `npx stryke db migrate`, then mark what needs a signed-in user with @RequireAuth() (a controller or an action; @AllowAnonymous() undoes it).',
          'show who is signed in: add {{> auth/nav}} to the <header> of app/views/layouts/application.hbs.',
          'password-reset links go out by mail (app/mailers/passwords_mailer.ts, config/mail.toml); in development they land in tmp/mails.',
        ] : [],
      };
    },
  },
};
