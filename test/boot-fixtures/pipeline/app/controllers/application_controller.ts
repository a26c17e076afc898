import { ActionController, Around, Before } from 'stryke';

@Before('loadUser')
@Around('trace')
export class ApplicationController extends ActionController {
  protected trail: string[] = [];

  protected loadUser() {
    this.trail.push('loadUser');
  }

  protected async trace(next: () => Promise<unknown>) {
    this.trail.push('around:in');
    await next();
    this.trail.push('around:out');
  }
}
