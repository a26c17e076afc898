import { ApplicationMailer as BaseMailer } from 'stryke/mailers';

/** The blog's mailers extend this: the sender (config/mail.toml `from`) and headers every message shares. */
export class ApplicationMailer extends BaseMailer {
  static defaults = { replyTo: 'stryke blog <hello@example.com>' };
}
