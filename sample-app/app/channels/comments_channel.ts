import { Channel } from 'stryke/channels';
import { Post } from '../models/post';
import { ApplicationChannel } from './application_channel';

/**
 * Live comments on a post page (routed in config/routes.ts: /posts/:postId/live). A reader joins the
 * post's stream; a comment saved anywhere (this worker or another) arrives through Comment's afterCommit,
 * and the page counts who else is reading through presence.
 */
@Channel()
export class CommentsChannel extends ApplicationChannel {
  async onConnect() {
    const post = await Post.where({ id: Number(this.params.postId) || 0 }).first();
    if (!post) this.reject(4404, 'no such post');
    this.join(`post:${post!.id}`);
  }
}
