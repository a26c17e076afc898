import { ActionController } from 'stryke';

export class ArticlesController extends ActionController {
  index() {
    return { api: 'v1', action: 'index' };
  }
  show() {
    return { api: 'v1', action: 'show', id: this.params.id };
  }
}
