import { Preview } from 'stryke/mailers';
import { UserMailer } from '../user_mailer';

/** Sample messages for /stryke/mailers (development only). */
@Preview()
export class UserMailerPreview {
  welcome() {
    return UserMailer.welcome({ name: 'Ada Lovelace', email: 'ada@example.com' }, { id: 1, title: 'Welcome to stryke web' });
  }

  passwordReset() {
    return UserMailer.passwordReset({ name: 'Grace Hopper', email: 'grace@example.com' }, 'http://localhost:3000/password/edit?token=preview-token');
  }
}
