import { ActionController, Controller, Get, RateLimit } from 'stryke';

/** One request a minute per signed-in user (per address when nobody is). */
@RateLimit({ max: 1, per: '1 minute', by: 'user' })
@Controller('/quota')
export class QuotaController extends ActionController {
  @Get('/')
  show() {
    return { ok: true };
  }
}
