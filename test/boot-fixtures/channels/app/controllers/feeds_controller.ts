import { ActionController, broadcastTo, Controller, Get, Post, Sse } from 'stryke';

@Controller('/feed')
export class FeedsController extends ActionController {
  /** An event stream that follows the broadcasts of a stream. */
  @Sse('/live')
  live() {
    return this.sse((stream) => stream.follow('news'));
  }

  /** Broadcast from a controller. */
  @Post('/publish')
  publish() {
    const id = broadcastTo(String(this.params.stream ?? 'news'), 'headline', { title: this.params.title });
    return { id };
  }

  /** Signs in as a member (the session a channel reads). */
  @Get('/join')
  join() {
    this.session.set('member', 'ada');
    return { ok: true };
  }
}
