import { ActionController } from 'stryke';

export class FeedsController extends ActionController {
  show() {
    return this.respondTo({
      json: () => this.json({ format: 'json' }),
      atom: () => this.reply.type('application/atom+xml').send('<feed/>'),
      rss: () => this.reply.type('application/rss+xml').send('<rss/>'),
    });
  }

  events() {
    return this.sse(async (stream) => {
      const start = stream.lastEventId ? Number(stream.lastEventId) + 1 : 1;
      for (let i = start; i < start + 3; i++) await stream.send({ id: i, event: 'tick', data: { n: i } });
    });
  }

  chat() {
    return {};
  }
}
