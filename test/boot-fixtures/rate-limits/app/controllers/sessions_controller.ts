import { ActionController, Controller, Get, Post, RateLimit } from 'stryke';

/** A sign-in form: five tries a minute per address. */
@Controller('/session')
export class SessionsController extends ActionController {
  @Get('/new')
  new() {
    return { form: true };
  }

  @RateLimit({ max: 5, per: '1 minute' })
  @Post('/')
  create() {
    return this.json({ signedIn: false }, { status: 401 });
  }

  @RateLimit({ max: 1, per: '1s' })
  @Post('/quick')
  quick() {
    return { ok: true };
  }
}
