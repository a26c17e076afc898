import { ActionController, RateLimit, Resources } from 'stryke';

/** Every way to reach show (HEAD, .json) and destroy (_method) must count against the same limit. */
@Resources('things')
export class ThingsController extends ActionController {
  index() {
    return { things: [] };
  }

  @RateLimit({ max: 2, per: 60 })
  show() {
    return { id: this.params.id };
  }

  @RateLimit({ max: 2, per: 60 })
  destroy() {
    return { destroyed: this.params.id };
  }

  update() {
    return { updated: this.params.id };
  }
}
