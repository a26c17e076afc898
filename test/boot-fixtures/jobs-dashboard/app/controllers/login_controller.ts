import { ActionController, Controller, Post } from 'stryke';

/** Signs in as `uid` without a password (the fixture is about the dashboard's access rule). */
@Controller('/login')
export class DashboardLoginController extends ActionController {
  @Post('/')
  create() {
    this.session.set('uid', Number(this.params.uid));
    return { ok: true };
  }
}
