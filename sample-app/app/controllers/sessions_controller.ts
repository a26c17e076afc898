import { AllowAnonymous, Controller, Delete, Get, Post, RateLimit, RequireAuth, takeReturnTo, verifyDummy } from 'stryke';
import { endAllSessions, endSession, startSession } from '../auth/authentication';
import { User } from '../models/user';
import { ApplicationController } from './application_controller';

const INVALID = 'Invalid email or password.';

/** Signing in and out: GET /session/new, POST /session, DELETE /session, DELETE /session/all (everywhere). */
@Controller('/session')
@AllowAnonymous()
export class SessionsController extends ApplicationController {
  @Get('/new', { as: 'new_session' })
  new() {
    if (this.currentUser) return this.redirectTo('/');
    return this.render('sessions/new', { title: 'Sign in', email: '' });
  }

  /**
   * An unknown address and a wrong password get the same answer, in the same time: for an unknown
   * address a dummy digest is verified, as costly as the real one.
   */
  @Post('/', { as: 'session' })
  @RateLimit({ max: 10, per: '3 minutes', name: 'sign-in' }) // guessing passwords gets 429 (docs/rate-limits.md)
  async create() {
    const { email, password } = this.params.require('session').permit('email', 'password');
    const address = typeof email === 'string' ? email.trim().toLowerCase() : '';
    const user = address ? await User.findBy({ email: address }) : null;
    const ok = user ? await user.authenticate(password) : await verifyDummy(typeof password === 'string' ? password : '');
    if (!user || !ok) {
      return this.render('sessions/new', { title: 'Sign in', email: address, alert: INVALID }, { status: 422 });
    }
    const back = takeReturnTo(this.session, '/');
    await startSession(this, user);
    return this.redirectTo(back, { notice: 'Signed in.' });
  }

  @Delete('/', { as: 'session' })
  async destroy() {
    await endSession(this);
    return this.redirectTo('/session/new', { notice: 'Signed out.' });
  }

  /** Ends every session of this user, on every device, this one included. */
  @Delete('/all', { as: 'all_sessions' })
  @RequireAuth()
  async destroyAll() {
    await endAllSessions(this.currentUser);
    await endSession(this);
    return this.redirectTo('/session/new', { notice: 'Signed out on every device.' });
  }
}
