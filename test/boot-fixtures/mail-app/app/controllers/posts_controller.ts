import { ActionController, Resources } from 'stryke';

@Resources('posts', { only: ['show'] })
export class PostsController extends ActionController {
  show() {
    return this.json({ id: this.params.id });
  }
}
