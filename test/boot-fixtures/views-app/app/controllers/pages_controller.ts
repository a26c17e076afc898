import { ActionController, Controller, Get } from 'stryke';

/** A plain object standing in for a model: what formFor reads (class name, fields, errors). */
class Article {
  id?: number;
  title = '<b>Draft</b>';
  body = '';
  published = true;
  category = 'news';
  readonly errors = {
    messages: { title: ['is too short (minimum is 3 characters)'] } as Record<string, string[]>,
    on(field: string) {
      return this.messages[field] ?? [];
    },
    get fullMessages() {
      return ['Title is too short (minimum is 3 characters)'];
    },
  };
}

@Controller('/pages')
export class PagesController extends ActionController {
  @Get('/')
  index() {
    const items = [{ name: 'Alpha <1>' }, { name: 'Beta' }, { name: 'Gamma' }];
    return this.render('pages/index', { items, none: [], raw: '<i>raw</i>' });
  }

  @Get('/plain')
  plain() {
    return this.render('pages/plain', { title: 'Plain' }, { layout: 'plain' });
  }

  @Get('/bare')
  bare() {
    return this.render('pages/plain', { title: 'Bare' }, { layout: false });
  }

  @Get('/missing')
  missing() {
    return this.render('pages/nope');
  }

  @Get('/no-layout')
  noLayout() {
    return this.render('pages/plain', {}, { layout: 'nope' });
  }

  @Get('/form')
  form() {
    return this.render('pages/form', { article: new Article(), categories: ['news', 'opinion'] });
  }

  @Get('/partial-form')
  partialForm() {
    return this.render('pages/partial_form', { article: new Article() });
  }

  @Get('/formats')
  formats() {
    const date = new Date(Date.now() - 3 * 60 * 1000);
    return this.render('pages/formats', { date, fixed: new Date('2026-04-26T12:34:56Z'), big: 1234567.891, none: 0, one: 1, many: 5 });
  }

  @Get('/assets')
  assets() {
    return this.render('pages/assets', {});
  }

  @Get('/bad-asset')
  badAsset() {
    return this.render('pages/bad_asset', {});
  }

  @Get('/big')
  big() {
    return this.render('pages/big', { rows: Array.from({ length: Number(this.params.n ?? 200) }, (_, i) => ({ i })) }, { layout: false });
  }

  @Get('/small')
  small() {
    return this.render('pages/plain', {}, { layout: false });
  }

  /** A returned object: JSON through the same sender as render. */
  @Get('/rows')
  rows() {
    return Array.from({ length: Number(this.params.n ?? 100) }, (_, i) => ({ i, name: `row ${i}` }));
  }

  /** A returned generator of text: streamed, and compressed as it streams. */
  @Get('/lines')
  lines() {
    this.reply.type('text/plain; charset=utf-8');
    return (async function* () {
      for (let i = 0; i < 500; i++) yield `line ${i}\n`;
    })();
  }

  /** Bytes of a type that does not compress. */
  @Get('/png')
  png() {
    this.reply.type('image/png');
    return Buffer.alloc(4096, 7);
  }

  @Get('/explode')
  explode() {
    throw new Error(`exploded ${'x'.repeat(600)}`);
  }
}

@Controller('/admin')
export class AdminController extends ActionController {
  @Get('/')
  index() {
    return this.render('admin/index', {});
  }
}
