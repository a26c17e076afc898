import { Preview } from 'stryke/mailers';
import { UserMailer } from '../user_mailer';

@Preview()
export class UserMailerPreview {
  welcome() {
    return UserMailer.welcome({ name: 'Ada <Lovelace>', email: 'ada@example.com' });
  }

  receipt() {
    return UserMailer.receipt('grace@example.com', 42);
  }

  notice() {
    return UserMailer.notice('alan@example.com', 'Text only');
  }
}
