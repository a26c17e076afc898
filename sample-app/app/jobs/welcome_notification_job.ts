import { ApplicationJob, Job } from 'stryke/jobs';
import { UserMailer } from '../mailers/user_mailer';
import { Comment } from '../models/comment';
import { Post } from '../models/post';

/**
 * Welcomes a commenter by email the first time their name appears under a post, when they gave an
 * address. Enqueued by CommentsController#create; runs on a worker (`stryke jobs work`, or in-process).
 * The mail is sent here (deliverNow), so a failed delivery fails this job and its retries apply.
 */
@Job({ queue: 'mailers', attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 100 })
export class WelcomeNotificationJob extends ApplicationJob {
  async perform(commentId: number, email?: string) {
    const comment = await Comment.findBy({ id: commentId });
    if (!comment) return 'skipped: comment deleted';
    if (!email) return 'skipped: no email address';
    if ((await Comment.where({ author: comment.author }).count()) > 1) return 'skipped: not a first comment';
    const post = await Post.find(comment.postId);
    await UserMailer.welcome({ name: comment.author, email }, { id: post.id, title: post.title }).deliverNow();
    return `welcomed ${email}`;
  }
}
