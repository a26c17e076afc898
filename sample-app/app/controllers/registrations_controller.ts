import { AllowAnonymous, Controller, Get, Post } from 'stryke';
import { startSession } from '../auth/authentication';
import { User } from '../models/user';
import { ApplicationController } from './application_controller';

/** Signing up: GET /registration/new, POST /registration. */
@Controller('/registration')
@AllowAnonymous()
export class RegistrationsController extends ApplicationController {
  @Get('/new', { as: 'new_registration' })
  new() {
    if (this.currentUser) return this.redirectTo('/');
    return this.render('registrations/new', { title: 'Create your account', user: new User() });
  }

  @Post('/', { as: 'registration' })
  async create() {
    const user = new User(this.params.require('user').permit('email', 'password', 'passwordConfirmation'));
    if (!(await user.save())) {
      return this.render('registrations/new', { title: 'Create your account', user }, { status: 422 });
    }
    await startSession(this, user);
    return this.redirectTo('/', { notice: 'Welcome! Your account is ready.' });
  }
}
