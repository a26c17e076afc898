import { currentEnv, type ActionController } from 'stryke';
import type { User } from '../models/user';

/**
 * How a password-reset link reaches its user: the one place to send it by mail once the app has a mailer.
 * Until then the link is logged in development and test, and never in production (a link in a log is a
 * way into the account): there, a warning says that no mail was sent.
 */
export const passwordResetDelivery = {
  async deliver(user: User, url: string, log: ActionController['log']): Promise<void> {
    if (currentEnv() === 'production') {
      log.warn({ userId: user.id }, 'password reset requested, but no mailer sends it: see app/auth/password_reset_delivery.ts');
      return;
    }
    log.info(`Password reset link for ${user.email}: ${url}`);
  },
};
