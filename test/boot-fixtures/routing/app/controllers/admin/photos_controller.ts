import { ActionController, Collection, Get, Member, Resources, Use } from 'stryke';

function tag(_req: unknown, reply: { header(k: string, v: string): unknown }) {
  reply.header('x-photos', 'seen');
}

/** Decorator-side routing: a namespaced resource nested in albums, with member and collection routes. */
@Resources('photos', { namespace: 'admin', nestedIn: 'albums', only: ['index', 'show'] })
@Use(tag)
export class PhotosController extends ActionController {
  index() {
    return { albumId: this.params.albumId };
  }

  show() {
    return { id: this.params.id };
  }

  @Member('POST')
  rotate() {
    return { rotated: this.params.id };
  }

  @Collection()
  recent() {
    return { recent: true };
  }

  @Get('/export.:format', { format: ['csv', 'json'], as: 'export' })
  exportAll() {
    return { format: this.format };
  }
}
