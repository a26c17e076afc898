import { Mailer } from 'stryke/mailers';
import { AppMailer } from './application_mailer';

export interface Recipient {
  name: string;
  email: string;
}

@Mailer()
export class UserMailer extends AppMailer {
  static welcome(user: Recipient) {
    return this.mail({ to: { name: user.name, address: user.email }, subject: `Welcome, ${user.name}!`, locals: { user, postId: 7 } });
  }

  /** Loads its data when built (as an action that finds a record by id would). */
  static receipt(email: string, total: number) {
    return this.mail(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return {
        to: email,
        cc: 'accounts@example.com',
        subject: `Reçu n° ${total} — merci ☕`,
        locals: { total },
        attachments: [
          { filename: 'reçu.txt', content: `Total: ${total} €\n`, contentType: 'text/plain; charset=utf-8' },
          { filename: 'logo.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3]), contentType: 'image/png' },
        ],
      };
    });
  }

  /** A subject typed by a user (a contact form), sent as is. */
  static notice(email: string, subject: string) {
    return this.mail({ to: email, subject, layout: false });
  }
}
