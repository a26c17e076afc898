import { ActionController, AllowAnonymous, Controller, Delete, Get, Post, RequireAuth } from 'stryke';
import { calls } from '../auth/authenticator';

/** Signs in without a password (the fixture is about the guard, not passwords). */
@Controller('/login')
export class LoginController extends ActionController {
  @Get('/')
  page() {
    return { signIn: true, user: this.currentUser };
  }

  @Post('/')
  create() {
    this.session.set('uid', Number(this.params.uid));
    return { ok: true };
  }
}

/** Every action requires a user, inherited by subclasses. */
@RequireAuth()
export class MembersOnlyController extends ActionController {}

@Controller('/area')
export class AreaController extends MembersOnlyController {
  @Get('/')
  index() {
    return { user: this.currentUser, calls: calls.count };
  }

  /** Reads currentUser twice and resolves again: still one call to the authenticator. */
  @Get('/twice')
  async twice() {
    const again = await this.resolveCurrentUser();
    return { same: again === this.currentUser, calls: calls.count };
  }

  @Get('/open')
  @AllowAnonymous()
  open() {
    return { user: this.currentUser };
  }

  @Delete('/:id')
  destroy() {
    return { deleted: this.params.id };
  }
}

/** No decorator: anonymous allowed, and currentUser resolved when there is a cookie. */
@Controller('/public')
export class PublicController extends ActionController {
  @Get('/')
  index() {
    return { user: this.currentUser };
  }
}

/** AllowAnonymous on the class, RequireAuth on one action. */
@Controller('/mixed')
@AllowAnonymous()
export class MixedController extends ActionController {
  @Get('/')
  index() {
    return { open: true };
  }

  @Get('/closed')
  @RequireAuth()
  closed() {
    return { user: this.currentUser };
  }
}
