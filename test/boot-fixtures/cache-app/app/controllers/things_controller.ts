import { ActionController, Controller, Get, cache } from 'stryke';

/** How many times each value was computed: what the cache saves. */
export const computed = { total: 0, page: 0 };

class Thing {
  constructor(public id: number, public name: string, public updatedAt: Date) {}
}

@Controller('/things')
export class ThingsController extends ActionController {
  @Get('/total')
  async total() {
    return cache.fetch('total', { ttl: 60_000 }, async () => ({ total: ++computed.total }));
  }

  /** `?saved=` stands in for the record's updatedAt, `?name=` for what it shows. */
  @Get('/page')
  page() {
    computed.page++;
    const thing = new Thing(1, String(this.params.name ?? 'first'), new Date(Number(this.params.saved ?? 0)));
    return this.render('things/page', { thing, renders: computed.page });
  }
}
