import { ActionController, Before } from 'stryke';
import { Post } from '../../../models/post';

/** The public JSON API: published posts only, with their comments. No session, no CSRF: an API. */
@Before('setPost', { only: ['show'] })
export class PostsController extends ActionController {
  private post!: Post;

  async index() {
    const page = Math.max(1, Number(this.params.page ?? 1) || 1);
    const posts = await Post.published().recent().limit(20).offset((page - 1) * 20);
    return { page, posts };
  }

  show() {
    if (this.freshWhen({ etag: this.post, lastModified: this.post.updatedAt, public: true })) return;
    return this.post;
  }

  private async setPost() {
    this.post = await Post.published().includes('comments').find(this.params.id);
  }
}
