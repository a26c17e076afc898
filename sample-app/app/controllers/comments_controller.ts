import { Before, Resources } from 'stryke';
import { Comment } from '../models/comment';
import { Post } from '../models/post';
import { ApplicationController } from './application_controller';

/** Comments live under their post: POST /posts/:postId/comments, DELETE /posts/:postId/comments/:id. */
@Resources('comments', { nestedIn: 'posts', only: ['create', 'destroy'] })
@Before('setPost')
export class CommentsController extends ApplicationController {
  private post!: Post;

  async create() {
    // The email is optional and not stored: only the welcome email uses it.
    const { email, ...attributes } = this.params.require('comment').permit('author', 'body', 'email');
    const comment = new Comment({ ...attributes, postId: this.post.id });
    if (await comment.save()) {
      const address = typeof email === 'string' && /^[^\s@]+@[^\s@]+$/.test(email.trim()) ? email.trim() : undefined;
      await (await import('../jobs/welcome_notification_job.js')).WelcomeNotificationJob.performLater(comment.id, address);
      return this.respondTo({
        html: () => this.redirectTo(this.paths.postPath(this.post), { notice: 'Comment added.' }),
        json: () => this.json(comment, { status: 201 }),
      });
    }
    return this.respondTo({
      html: () => this.redirectTo(this.paths.postPath(this.post), { alert: `Comment not saved: ${comment.errors.fullMessages.join(', ')}.` }),
      json: () => this.json({ errors: comment.errors }, { status: 422 }),
    });
  }

  async destroy() {
    const comment = await Comment.where({ postId: this.post.id }).find(this.params.id);
    await comment.destroy();
    return this.respondTo({
      html: () => this.redirectTo(this.paths.postPath(this.post), { notice: 'Comment deleted.' }),
      json: () => this.head(204),
    });
  }

  private async setPost() {
    this.post = await Post.find(this.params.postId);
  }
}
