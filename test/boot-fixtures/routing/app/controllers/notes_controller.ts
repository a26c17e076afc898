import { ActionController } from 'stryke';

export class NotesController extends ActionController {
  index() {
    return { action: 'index', articleId: this.params.articleId };
  }
  show() {
    return { action: 'show', id: this.params.id, format: this.format };
  }
  create() {
    return { action: 'create', articleId: this.params.articleId };
  }
  destroy() {
    return { action: 'destroy', id: this.params.id };
  }
}
