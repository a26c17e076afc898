import { Mailer } from 'stryke/mailers';
import { ApplicationMailer } from './application_mailer';

/** Who a message goes to: plain data, so a delivery can wait on the jobs queue (deliverLater). */
export interface Recipient {
  name: string;
  email: string;
}

/** Mail to the blog's readers. Templates: app/views/user_mailer/<action>.html.hbs and .text.hbs. */
@Mailer()
export class UserMailer extends ApplicationMailer {
  /** Sent by WelcomeNotificationJob after someone's first comment. */
  static welcome(to: Recipient, post: { id: number; title: string }) {
    return this.mail({
      to: { name: to.name, address: to.email },
      subject: `Welcome to the conversation, ${to.name}!`,
      locals: { name: to.name, post },
    });
  }

  /**
   * A password-reset link, for the authentication flow: `await UserMailer.passwordReset(user, resetUrl).deliverLater()`
   * with `resetUrl` absolute (a `...Url` path helper, or default_url plus the path).
   */
  static passwordReset(to: Recipient, resetUrl: string, expiresInMinutes = 30) {
    return this.mail({
      to: { name: to.name, address: to.email },
      subject: 'Reset your stryke blog password',
      locals: { name: to.name, resetUrl, expiresInMinutes },
    });
  }
}
