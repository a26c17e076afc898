import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationJob, Job } from 'stryke/jobs';
import { Comment } from '../models/comment';
import { Post } from '../models/post';

/** Where notifications are delivered: one JSON line each (the sample app has no mailer). */
export const NOTIFICATIONS_LOG = join(__dirname, '..', '..', '..', 'log', 'notifications.log');

/**
 * Welcomes a commenter the first time their name appears under a post. Enqueued by
 * CommentsController#create; runs on a worker (`stryke jobs work`, or in-process after `startJobs(app)`).
 */
@Job({ queue: 'mailers', attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 100 })
export class WelcomeNotificationJob extends ApplicationJob {
  async perform(commentId: number) {
    const comment = await Comment.findBy({ id: commentId });
    if (!comment) return 'skipped: comment deleted';
    if ((await Comment.where({ author: comment.author }).count()) > 1) return 'skipped: not a first comment';
    const post = await Post.find(comment.postId);
    const message = `Welcome, ${comment.author}! Thanks for your first comment, on "${post.title}".`;
    await mkdir(join(NOTIFICATIONS_LOG, '..'), { recursive: true });
    await appendFile(NOTIFICATIONS_LOG, `${JSON.stringify({ to: comment.author, commentId, message, at: new Date().toISOString() })}\n`);
    return message;
  }
}
