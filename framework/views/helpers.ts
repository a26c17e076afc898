import type Handlebars from 'handlebars';
import type { PathHelpers } from '../routing/helpers';

/** What a template sees of the request that renders it (passed as Handlebars `@data`). */
export interface RenderContext {
  csrfToken(): string;
  flash: Record<string, string>;
}

type HelperOptions = Handlebars.HelperOptions;

function ctx(options: HelperOptions): RenderContext | undefined {
  return options?.data?.stryke as RenderContext | undefined;
}

/** Registers stryke's view helpers and the app's path helpers on one Handlebars environment. */
export function registerHelpers(hb: typeof Handlebars, paths: PathHelpers): void {
  const { SafeString, escapeExpression: esc } = hb;

  for (const [name, fn] of Object.entries(paths)) {
    hb.registerHelper(name, (...args: unknown[]) => fn(...args.slice(0, -1)));
  }

  hb.registerHelper('csrfToken', (options: HelperOptions) => ctx(options)?.csrfToken() ?? '');
  hb.registerHelper('csrfField', (options: HelperOptions) => {
    const token = ctx(options)?.csrfToken() ?? '';
    return new SafeString(`<input type="hidden" name="authenticity_token" value="${esc(token)}">`);
  });
  hb.registerHelper('csrfMetaTags', (options: HelperOptions) => {
    const token = ctx(options)?.csrfToken() ?? '';
    return new SafeString(`<meta name="csrf-param" content="authenticity_token">\n<meta name="csrf-token" content="${esc(token)}">`);
  });

  /** `{{linkTo "Edit" (editPostPath post)}}` */
  hb.registerHelper('linkTo', (text: unknown, url: unknown, options: HelperOptions) => {
    const cls = options?.hash?.class ? ` class="${esc(String(options.hash.class))}"` : '';
    return new SafeString(`<a href="${esc(String(url))}"${cls}>${esc(String(text))}</a>`);
  });

  /**
   * `{{buttonTo "Delete" (postPath post) method="delete" confirm="Sure?"}}`: a form with the CSRF field
   * and `_method` tunnelling, so a link-like button can PATCH or DELETE.
   */
  hb.registerHelper('buttonTo', (text: unknown, url: unknown, options: HelperOptions) => {
    const method = String(options.hash?.method ?? 'post').toLowerCase();
    const token = ctx(options)?.csrfToken() ?? '';
    const tunnel = method === 'post' ? '' : `<input type="hidden" name="_method" value="${esc(method)}">`;
    const confirm = options.hash?.confirm ? ` onsubmit="return confirm('${esc(String(options.hash.confirm))}')"` : '';
    const cls = options.hash?.class ? ` class="${esc(String(options.hash.class))}"` : '';
    return new SafeString(
      `<form class="button-to" method="post" action="${esc(String(url))}"${confirm}>${tunnel}` +
        `<input type="hidden" name="authenticity_token" value="${esc(token)}">` +
        `<button type="submit"${cls}>${esc(String(text))}</button></form>`,
    );
  });

  /** `{{errorMessages post}}`: the record's validation errors as a list, or nothing. */
  hb.registerHelper('errorMessages', (record: any) => {
    const messages: string[] = record?.errors?.fullMessages ?? [];
    if (!messages.length) return '';
    const items = messages.map((m) => `<li>${esc(m)}</li>`).join('');
    const count = messages.length === 1 ? '1 error' : `${messages.length} errors`;
    return new SafeString(`<div class="error-messages" role="alert"><h2>${count} prohibited this from being saved:</h2><ul>${items}</ul></div>`);
  });

  /** `{{fieldError post "title"}}`: the first error on one field, or nothing. */
  hb.registerHelper('fieldError', (record: any, field: string) => {
    const msg: string | undefined = record?.errors?.on?.(field)?.[0];
    return msg ? new SafeString(`<span class="field-error">${esc(msg)}</span>`) : '';
  });

  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('formatDate', (d: unknown) => {
    if (!(d instanceof Date) || Number.isNaN(d.getTime())) return '';
    return d.toISOString().slice(0, 16).replace('T', ' ');
  });
  hb.registerHelper('truncate', (s: unknown, n: unknown) => {
    const str = String(s ?? '');
    const len = typeof n === 'number' ? n : 100;
    return str.length > len ? `${str.slice(0, len - 1)}…` : str;
  });
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v));
}
