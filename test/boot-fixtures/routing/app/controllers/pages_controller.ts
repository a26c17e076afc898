import { ActionController } from 'stryke';

export class PagesController extends ActionController {
  home() {
    return { page: 'home', paths: { articles: this.paths.articlesPath(), article: this.paths.articlePath(7), articleUrl: this.paths.articleUrl(7) } };
  }

  faq() {
    return { page: 'faq' };
  }
}
