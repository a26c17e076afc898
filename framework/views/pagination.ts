import type Handlebars from 'handlebars';
import { ViewErrors } from './errors';
import { attrs } from './attrs';

/** What the pager reads of a `paginate()` result (framework/orm's `Page`). */
interface PageLike {
  page: number;
  pageCount: number;
  total: number;
}

function isPage(v: unknown): v is PageLike {
  const p = v as PageLike | null;
  return !!p && typeof p === 'object' && Number.isInteger(p.page) && Number.isInteger(p.pageCount);
}

/** `url` with `page=n` (replacing a `page` it already has); page 1 is the bare URL. */
function pageUrl(url: string, n: number): string {
  const [path, query = ''] = url.split('?', 2) as [string, string?];
  const params = new URLSearchParams(query);
  if (n === 1) params.delete('page');
  else params.set('page', String(n));
  const q = params.toString();
  return q ? `${path}?${q}` : path;
}

/**
 * `{{paginate page (postsPath)}}`: the pager under a list read with `Model.paginate(...)`: a link to the
 * previous page, "Page 2 of 9", a link to the next one. Nothing when everything fits on one page.
 * `previous=` and `next=` change the link texts; other hash keys become attributes of the `<nav>`.
 */
export function registerPaginationHelpers(hb: typeof Handlebars): void {
  const { SafeString, escapeExpression: esc } = hb;
  hb.registerHelper('paginate', (page: unknown, url: unknown, options: Handlebars.HelperOptions) => {
    if (!isPage(page)) throw ViewErrors.BAD_HELPER_ARGS('paginate', 'pass the result of Model.paginate(...): {{paginate page (postsPath)}}');
    if (typeof url !== 'string') throw ViewErrors.BAD_HELPER_ARGS('paginate', 'pass the list\'s URL second: {{paginate page (postsPath)}}');
    if (page.pageCount <= 1) return '';
    const hash = options?.hash ?? {};
    const prev = page.page > 1
      ? `<a rel="prev" href="${esc(pageUrl(url, Math.min(page.page - 1, page.pageCount)))}">${esc(String(hash.previous ?? '← Previous'))}</a>`
      : '';
    const next = page.page < page.pageCount ? `<a rel="next" href="${esc(pageUrl(url, page.page + 1))}">${esc(String(hash.next ?? 'Next →'))}</a>` : '';
    const extra = attrs(hb, { class: 'pagination', 'aria-label': 'Pages', ...hash }, ['previous', 'next']);
    return new SafeString(`<nav${extra}>${prev}<span class="page-count">Page ${page.page} of ${page.pageCount}</span>${next}</nav>`);
  });
}
