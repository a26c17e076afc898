import { ActionController } from 'stryke';
import { Post } from '../models/post';

export class FeedsController extends ActionController {
  /** Server-sent events: every post newer than Last-Event-ID, then one event per new post, polled. */
  live() {
    return this.sse(async (stream) => {
      let last = Number(stream.lastEventId ?? 0) || 0;
      for (let round = 0; round < 120 && !stream.closed; round++) {
        const fresh = await Post.published().where('id > ?', last).order('id', 'asc').limit(50);
        for (const post of fresh) {
          await stream.send({ id: post.id, event: 'post', data: { id: post.id, title: post.title } });
          last = post.id;
        }
        if (!fresh.length) await stream.comment('waiting');
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
  }
}
