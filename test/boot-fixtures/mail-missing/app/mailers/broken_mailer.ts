import { ApplicationMailer, Mailer } from 'stryke/mailers';

@Mailer()
export class BrokenMailer extends ApplicationMailer {
  static present() {
    return this.mail({ to: 'a@example.com', subject: 'here' });
  }

  static forgotten() {
    return this.mail({ to: 'a@example.com', subject: 'no template' });
  }
}
