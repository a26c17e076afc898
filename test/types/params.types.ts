// Request parameters to the compiler: each one reads as a ParamValue (a scalar, a file, nested Params, or
// nothing), never `any`; unpermitted Params are no model attributes.
import { ActionController, type Params, type ParamValue } from 'stryke';
import { Article, Author } from './app';

export class ArticlesController extends ActionController {
  async show(): Promise<unknown> {
    const id: ParamValue = this.params.id;
    const article = await Article.find(this.params.id);
    await Article.where({ title: this.params.q }).paginate({ page: this.params.page });
    const attrs = this.params.require('article').permit('title', 'views');
    await article.update(attrs);
    const nested: Params = this.params.require('article');
    const value: ParamValue = this.params.get('title');
    void id, nested, value;

    // @ts-expect-error: a parameter is not known to be a string: check it (typeof, String())
    const title: string = this.params.title;
    // @ts-expect-error: nor a number
    const page: number = this.params.page;
    // @ts-expect-error: unpermitted params are no attributes
    await Article.create(this.params.require('article'));
    // @ts-expect-error: nor is one nested hash of them
    new Author(this.params.author);
    // @ts-expect-error: nor for a new record
    new Author(this.params.require('author'));
    // @ts-expect-error: nor for update
    await article.update(this.params);
    // @ts-expect-error: `params.x` is not a method
    this.params.title();
    void title, page;
    return article;
  }
}
