import { ActionController, SharedPoll } from 'stryke/http';
import { Post } from '../models/post';

/** The newest published post id seen by the shared poll (read from the database on its first run). */
let newest: number | undefined;

/**
 * One query a second for every open feed together, not one per feed: each poll reads the posts published
 * since the previous one, and every open stream gets them.
 */
const newPosts = new SharedPoll(1000, async () => {
  newest ??= Number((await Post.published().maximum('id')) ?? 0);
  const fresh = await Post.published().where('id > ?', newest).order('id', 'asc').limit(50);
  if (fresh.length) newest = fresh[fresh.length - 1]!.id;
  return fresh;
});

/** How long one stream stays open; the browser then reconnects with Last-Event-ID and misses nothing. */
const STREAM_MS = 120_000;

export class FeedsController extends ActionController {
  /** Server-sent events: every post newer than Last-Event-ID, then one event per new post. */
  live() {
    return this.sse(async (stream) => {
      let last = Number(stream.lastEventId ?? 0) || 0;
      const done = AbortSignal.any([stream.signal, AbortSignal.timeout(STREAM_MS)]);
      // Follow the shared poll first, so nothing published while the backlog is read is missed.
      const updates = newPosts.updates(done);
      const send = async (posts: Post[]) => {
        for (const post of posts) {
          if (post.id <= last) continue;
          await stream.send({ id: post.id, event: 'post', data: { id: post.id, title: post.title } });
          last = post.id;
        }
      };
      await send(await Post.published().where('id > ?', last).order('id', 'asc').limit(50));
      for await (const fresh of updates) {
        if (fresh.length) await send(fresh);
        else await stream.comment('waiting');
      }
    });
  }
}
