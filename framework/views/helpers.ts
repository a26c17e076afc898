import type Handlebars from 'handlebars';
import type { PathHelpers } from '../routing';
import { humanize, singularize, underscore } from '../support';
import type { RenderState, ViewEngine } from './engine';
import { resolvePartial } from './compile';
import { attrs } from './attrs';
import { registerFormHelpers } from './form';
import { registerFormatHelpers } from './format';
import { registerPaginationHelpers } from './pagination';
import { CONFIRM_HANDLER } from '../security';
import { registerStorageHelpers } from '../storage/internal';
import { registerCacheHelper } from '../cache/internal';

/** What a template sees of the request that renders it (passed as Handlebars `@data`). */
export interface RenderContext {
  csrfToken(): string;
  flash: Record<string, string>;
  /** The signed-in user, as views see it (`{{#if currentUser}}`); null when nobody is. */
  currentUser?: unknown;
}

export type HelperOptions = Handlebars.HelperOptions;

export function state(options: HelperOptions | undefined): RenderState | undefined {
  return options?.data as RenderState | undefined;
}

function ctx(options: HelperOptions): RenderContext | undefined {
  return state(options)?.stryke;
}

/** Registers stryke's view helpers and the app's path helpers on one Handlebars environment. */
export function registerHelpers(hb: typeof Handlebars, paths: PathHelpers, engine: ViewEngine): void {
  const { SafeString, escapeExpression: esc } = hb;

  for (const [name, fn] of Object.entries(paths)) {
    hb.registerHelper(name, (...args: unknown[]) => fn(...args.slice(0, -1)));
  }

  registerCacheHelper(hb);

  hb.registerHelper('csrfToken', (options: HelperOptions) => ctx(options)?.csrfToken() ?? '');
  // The channels browser client's fingerprinted path: `<script src="{{channelsClientPath}}"></script>`.
  hb.registerHelper('channelsClientPath', () => (require('../channels') as typeof import('../channels')).channelsClientPath());
  hb.registerHelper('csrfField', (options: HelperOptions) => {
    const token = ctx(options)?.csrfToken() ?? '';
    return new SafeString(`<input type="hidden" name="authenticity_token" value="${esc(token)}">`);
  });
  hb.registerHelper('csrfMetaTags', (options: HelperOptions) => {
    const token = ctx(options)?.csrfToken() ?? '';
    return new SafeString(`<meta name="csrf-param" content="authenticity_token">\n<meta name="csrf-token" content="${esc(token)}">`);
  });

  /** `{{linkTo "Edit" (editPostPath post) class="button"}}` */
  hb.registerHelper('linkTo', (text: unknown, url: unknown, options: HelperOptions) => {
    return new SafeString(`<a href="${esc(String(url))}"${attrs(hb, options?.hash)}>${esc(String(text))}</a>`);
  });

  /**
   * `{{buttonTo "Delete" (postPath post) method="delete" confirm="Sure?"}}`: a form with the CSRF field
   * and `_method` tunnelling, so a link-like button can PATCH or DELETE.
   */
  hb.registerHelper('buttonTo', (text: unknown, url: unknown, options: HelperOptions) => {
    const method = String(options.hash?.method ?? 'post').toLowerCase();
    const token = ctx(options)?.csrfToken() ?? '';
    const tunnel = method === 'post' ? '' : `<input type="hidden" name="_method" value="${esc(method)}">`;
    // A constant handler reading its message from data-confirm: the default CSP allows exactly it by hash.
    const confirm = options.hash?.confirm ? ` data-confirm="${esc(String(options.hash.confirm))}" onsubmit="${CONFIRM_HANDLER}"` : '';
    return new SafeString(
      `<form class="button-to" method="post" action="${esc(String(url))}"${confirm}>${tunnel}` +
        `<input type="hidden" name="authenticity_token" value="${esc(token)}">` +
        `<button type="submit"${attrs(hb, options.hash, ['method', 'confirm'])}>${esc(String(text))}</button></form>`,
    );
  });

  /** `{{errorMessages post}}`: the record's validation errors as a list, or nothing. */
  hb.registerHelper('errorMessages', (...args: any[]) => {
    const options = args.pop() as HelperOptions;
    const record = args.length ? args[0] : (options?.data as any)?.strykeForm?.model;
    const messages: string[] = record?.errors?.fullMessages ?? [];
    if (!messages.length) return '';
    const items = messages.map((m) => `<li>${esc(m)}</li>`).join('');
    const count = messages.length === 1 ? '1 error' : `${messages.length} errors`;
    // "this post": the record's model, named as a person would (`BlogPost` -> "blog post").
    const model = String(options.hash?.name ?? humanize(underscore(String(record?.constructor?.name ?? '')))).toLowerCase();
    const what = model && model !== 'object' ? `this ${model}` : 'this record';
    return new SafeString(`<div class="error-messages" role="alert"><h2>${count} prohibited ${esc(what)} from being saved:</h2><ul>${items}</ul></div>`);
  });

  /** `{{fieldError post "title"}}`: the first error on one field, or nothing. */
  hb.registerHelper('fieldError', (record: any, field: string) => {
    const msg: string | undefined = record?.errors?.on?.(field)?.[0];
    return msg ? new SafeString(`<span class="field-error">${esc(msg)}</span>`) : '';
  });

  /** `{{flashMessages}}`: every flash message as `<p class="flash notice">`, or nothing. */
  hb.registerHelper('flashMessages', (options: HelperOptions) => {
    const flash = ctx(options)?.flash ?? {};
    const out = Object.entries(flash)
      .filter(([, v]) => v)
      .map(([k, v]) => `<p class="flash ${esc(k)}" role="${k === 'alert' ? 'alert' : 'status'}">${esc(String(v))}</p>`);
    return new SafeString(out.join('\n'));
  });

  // ---- layouts and content blocks ----

  /** In a layout: `{{yield}}` is the page, `{{yield "head"}}` what the page gave with `{{#contentFor "head"}}`. */
  hb.registerHelper('yield', (...args: unknown[]) => {
    const options = args.pop() as HelperOptions;
    const name = args.length ? String(args[0]) : 'main';
    return new SafeString(state(options)?.strykeContent.get(name) ?? '');
  });
  /** `{{#contentFor "head"}}<link ...>{{/contentFor}}`: content for the layout's `{{yield "head"}}` (appends). */
  hb.registerHelper('contentFor', function (this: unknown, name: unknown, options: HelperOptions) {
    const s = state(options);
    if (!s || typeof options?.fn !== 'function') return '';
    const key = String(name);
    s.strykeContent.set(key, (s.strykeContent.get(key) ?? '') + options.fn(this));
    return '';
  });
  /** `{{#if (hasContent "sidebar")}}`: whether the page gave that block. */
  hb.registerHelper('hasContent', (name: unknown, options: HelperOptions) => !!state(options)?.strykeContent.get(String(name)));

  // ---- partials ----

  /**
   * `{{render "post" post=p}}` renders `_post.hbs` once; `{{render "post" collection=posts}}` once per item,
   * with the item as `post` (or `as="item"`), `@index`, `@first`, `@last`; `spacer="divider"` renders a partial
   * between items, and `empty="No posts yet."` is shown for an empty collection.
   */
  hb.registerHelper('render', function (this: unknown, name: unknown, options: HelperOptions) {
    const s = state(options)!;
    const from = s?.strykeView ?? '';
    const partial = resolvePartial(String(name), from, (n) => engine.hasPartial(n));
    const { collection, as, spacer, empty, ...locals } = options.hash ?? {};
    if (collection === undefined) return new SafeString(engine.renderPartial(partial, { ...(this as object), ...locals }, options.data, `app/views/${from}.hbs`));
    const items = collection == null ? [] : Array.from(collection as Iterable<unknown>);
    if (!items.length) return empty ? esc(String(empty)) : '';
    const local = String(as ?? singularize(partial.split('/').pop()!));
    const spacerName = spacer ? resolvePartial(String(spacer), from, (n) => engine.hasPartial(n)) : undefined;
    const parts: string[] = [];
    items.forEach((item, index) => {
      const data = hb.createFrame(options.data);
      Object.assign(data, { index, first: index === 0, last: index === items.length - 1 });
      if (spacerName && index > 0) parts.push(engine.renderPartial(spacerName, this, data, `app/views/${from}.hbs`));
      parts.push(engine.renderPartial(partial, { ...(this as object), ...locals, [local]: item, [`${local}Index`]: index }, data, `app/views/${from}.hbs`));
    });
    return new SafeString(parts.join(''));
  });

  // ---- assets ----

  /** `{{assetPath "app.css"}}`: `/app-3f9a1c2b.css` from a build (through the manifest), `/app.css` in development. */
  hb.registerHelper('assetPath', (name: unknown, options: HelperOptions) => state(options)!.strykeAssets(String(name)));
  hb.registerHelper('stylesheetTag', (name: unknown, options: HelperOptions) => {
    const href = state(options)!.strykeAssets(String(name));
    return new SafeString(`<link rel="stylesheet" href="${esc(href)}"${attrs(hb, options.hash)}>`);
  });
  hb.registerHelper('scriptTag', (name: unknown, options: HelperOptions) => {
    const src = state(options)!.strykeAssets(String(name));
    return new SafeString(`<script src="${esc(src)}"${attrs(hb, options.hash)}></script>`);
  });
  hb.registerHelper('imageTag', (name: unknown, options: HelperOptions) => {
    const src = state(options)!.strykeAssets(String(name));
    const alt = options.hash?.alt ?? '';
    return new SafeString(`<img src="${esc(src)}" alt="${esc(String(alt))}"${attrs(hb, options.hash, ['alt'])}>`);
  });

  // ---- small utilities ----

  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper('truncate', (s: unknown, n: unknown) => {
    const str = String(s ?? '');
    const len = typeof n === 'number' ? n : 100;
    return str.length > len ? `${str.slice(0, len - 1)}…` : str;
  });
  /** `{{simpleFormat post.body}}`: escaped text, blank lines as paragraphs and newlines as `<br>`. */
  hb.registerHelper('simpleFormat', (s: unknown) => {
    const paras = String(s ?? '').replace(/\r\n?/g, '\n').split(/\n{2,}/).filter((p) => p.trim());
    return new SafeString(paras.map((p) => `<p>${esc(p).replace(/\n/g, '<br>\n')}</p>`).join('\n'));
  });
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v));

  registerFormatHelpers(hb);
  registerFormHelpers(hb, paths);
  registerStorageHelpers(hb);
  registerPaginationHelpers(hb);
}
