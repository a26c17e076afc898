import { AllowAnonymous, Controller, Get, Patch, Post, RateLimit, type PathHelpers } from 'stryke';
import { endAllSessions } from '../auth/authentication';
import { passwordResetDelivery } from '../auth/password_reset_delivery';
import { PasswordReset } from '../models/password_reset';
import { User } from '../models/user';
import { ApplicationController } from './application_controller';

const SENT = 'If an account uses that address, a link to choose a new password is on its way.';
const INVALID_LINK = 'That link is invalid or has expired: ask for a new one.';

/**
 * Forgotten passwords: ask for a link (GET /passwords/new, POST /passwords), then follow it
 * (GET /passwords/:token/edit) and choose a new password (PATCH /passwords/:token).
 */
@Controller('/passwords')
@AllowAnonymous()
export class PasswordsController extends ApplicationController {
  @Get('/new', { as: 'new_password' })
  new() {
    return this.render('passwords/new', { title: 'Forgot your password?' });
  }

  /**
   * The same answer whether or not the address has an account, in the same time: the link is made and
   * sent after the response, so the response waits for nothing but the lookup.
   */
  @Post('/', { as: 'passwords' })
  @RateLimit({ max: 10, per: '15 minutes', name: 'password-reset' }) // one counter for asking and for using reset links
  async create() {
    const { email } = this.params.require('password').permit('email');
    const address = typeof email === 'string' ? email.trim().toLowerCase() : '';
    const user = address ? await User.findBy({ email: address }) : null;
    if (user) {
      const log = this.log;
      const paths = this.paths as unknown as PathHelpers;
      setImmediate(() => {
        PasswordReset.issue(user)
          // The link is on the app's configured URL (config/server.toml `url`), never the request's Host header.
          .then(({ token }) => passwordResetDelivery.deliver(user, paths.editPasswordUrl!(token), log))
          .catch((err) => log.error({ err }, 'sending a password reset link failed'));
      });
    }
    return this.redirectTo('/session/new', { notice: SENT });
  }

  @Get('/:token/edit', { as: 'edit_password' })
  async edit() {
    const reset = await PasswordReset.redeemable(this.params.token);
    if (!reset) return this.redirectTo('/passwords/new', { alert: INVALID_LINK });
    return this.render('passwords/edit', { title: 'Choose a new password', formUrl: `/passwords/${this.params.token}`, user: new User() });
  }

  /** A link works once: it is consumed with the change, and every session of the user ends. */
  @Patch('/:token', { as: 'password' })
  @RateLimit({ max: 10, per: '15 minutes', name: 'password-reset' }) // one counter for asking and for using reset links
  async update() {
    const reset = await PasswordReset.redeemable(this.params.token);
    if (!reset) return this.redirectTo('/passwords/new', { alert: INVALID_LINK });
    const user = await User.find(reset.userId);
    const { password, passwordConfirmation } = this.params.require('user').permit('password', 'passwordConfirmation');
    user.assign({ password: typeof password === 'string' ? password : '', passwordConfirmation });
    if (!(await user.isValid())) {
      return this.render('passwords/edit', { title: 'Choose a new password', formUrl: `/passwords/${this.params.token}`, user }, { status: 422 });
    }
    if (!(await reset.consume())) return this.redirectTo('/passwords/new', { alert: INVALID_LINK });
    await user.save();
    await endAllSessions(user);
    return this.redirectTo('/session/new', { notice: 'Your password was changed: sign in with it.' });
  }
}
