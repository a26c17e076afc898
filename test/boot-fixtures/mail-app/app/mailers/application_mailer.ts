import { ApplicationMailer } from 'stryke/mailers';

/** The fixture app's base mailer: every message is from the blog unless an action says otherwise. */
export class AppMailer extends ApplicationMailer {
  static override defaults = { from: 'Ünïcode Blog <blog@example.com>', headers: { 'X-App': 'mail-app' } };
}
