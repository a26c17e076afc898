import { ActionController } from 'stryke';

export class ArticlesController extends ActionController {
  index() {
    return { action: 'index' };
  }
  show() {
    return { action: 'show', id: this.params.id };
  }
  create() {
    return { action: 'create' };
  }
  publish() {
    return { action: 'publish', id: this.params.id };
  }
  drafts() {
    return { action: 'drafts' };
  }
}
