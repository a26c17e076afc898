import { ActionController, Controller, Get, RateLimit } from 'stryke';

/** One counter for the whole controller, per signed-in user (the address when nobody is). */
@RateLimit({ max: 3, per: '1 minute', by: 'user' })
@Controller('/api')
export class ApiController extends ActionController {
  @Get('/a')
  a() {
    return { a: true };
  }

  @Get('/b')
  b() {
    return { b: true };
  }
}
