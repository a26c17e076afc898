import type { ActionController } from 'stryke';
import { UserMailer } from '../mailers/user_mailer';
import { PasswordReset } from '../models/password_reset';
import type { User } from '../models/user';

/**
 * How a password-reset link reaches its user: by email (UserMailer.passwordReset), through the jobs queue, so
 * a mail server that is down is retried with backoff. config/mail.toml says how mail leaves: a file under
 * tmp/mails in development, kept in memory in tests, SMTP in production. The link itself is never logged: a
 * link in a log is a way into the account.
 */
export const passwordResetDelivery = {
  async deliver(user: User, url: string, log: ActionController['log']): Promise<void> {
    const name = user.email.split('@')[0]!;
    await UserMailer.passwordReset({ name, email: user.email }, url, PasswordReset.validForMinutes).deliverLater();
    log.info({ userId: user.id }, 'password reset link sent by mail');
  },
};
