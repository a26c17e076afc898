import type Handlebars from 'handlebars';
import type { PathHelpers } from '../routing';
import { camelize, humanize, pluralize, underscore } from '../support';
import { ViewErrors } from './errors';
import { attrs } from './attrs';

type HelperOptions = Handlebars.HelperOptions;

/** The form a field helper belongs to (set by `{{#formFor}}` on the Handlebars data frame). */
interface FormState {
  model: any;
  param: string;
  /** Set by a fileField inside: the form is sent as multipart/form-data. */
  files?: boolean;
}

function formOf(options: HelperOptions, helper: string): FormState {
  const form = (options?.data as { strykeForm?: FormState } | undefined)?.strykeForm;
  if (!form) throw ViewErrors.BAD_HELPER_ARGS(helper, 'field helpers work inside {{#formFor model}}...{{/formFor}}');
  return form;
}

function persisted(model: any): boolean {
  if (model && typeof model.isNewRecord === 'boolean') return !model.isNewRecord;
  return model?.id !== undefined && model?.id !== null;
}

/** The messages on one field, as full sentences (`Title is too short (minimum is 3 characters)`). */
function errorsOn(model: any, field: string): string[] {
  const list: string[] = model?.errors?.on?.(field) ?? [];
  return field === 'base' ? list : list.map((m) => `${humanize(field)} ${m}`);
}

function inputValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 16);
  return String(v);
}

/**
 * `{{#formFor post}} ... {{/formFor}}`: a form for a model, posting to `postsPath` when the record is new
 * and PATCHing `postPath(post)` when it is saved (or `url=` and `method=`), with the CSRF field, `_method`
 * tunnelling and, per field, the model's value, a label and its validation errors.
 */
export function registerFormHelpers(hb: typeof Handlebars, paths: PathHelpers): void {
  const { SafeString, escapeExpression: esc } = hb;

  hb.registerHelper('formFor', function (this: unknown, model: any, options: HelperOptions) {
    if (!options || typeof options.fn !== 'function') throw ViewErrors.BAD_HELPER_ARGS('formFor', 'use it as a block: {{#formFor post}}...{{/formFor}}');
    if (model === undefined || model === null) throw ViewErrors.BAD_HELPER_ARGS('formFor', 'the model is undefined; pass the record the form edits (a new one for a create form)');
    const hash = options.hash ?? {};
    const className = String(model?.constructor?.name ?? 'Object');
    const param = String(hash.as ?? underscore(className));
    const saved = persisted(model);
    let url = hash.url as string | undefined;
    if (url === undefined) {
      const helper = saved ? `${camelize(param)}Path` : `${camelize(pluralize(param))}Path`;
      const fn = paths[helper];
      if (!fn) throw ViewErrors.BAD_HELPER_ARGS('formFor', `no url= given and the app has no ${helper} route for a ${className}; pass url=(somePath ...)`);
      url = saved ? fn(model) : fn();
    }
    const method = String(hash.method ?? (saved ? 'patch' : 'post')).toLowerCase();
    const data = hb.createFrame(options.data);
    const state: FormState = { model, param };
    data.strykeForm = state;
    data.strykeFormSubmit = `${saved ? 'Update' : 'Create'} ${humanize(param)}`;
    const token = (options.data?.stryke?.csrfToken?.() as string | undefined) ?? '';
    const tunnel = method === 'post' || method === 'get' ? '' : `<input type="hidden" name="_method" value="${esc(method)}">`;
    const csrf = method === 'get' ? '' : `<input type="hidden" name="authenticity_token" value="${esc(token)}">`;
    const cls = hash.class ?? `${param.replace(/_/g, '-')}-form`;
    // The body renders first, so a fileField inside makes the form multipart (files are not sent otherwise).
    const inner = options.fn(this, { data });
    const multipart = state.files === true || hash.multipart === true;
    const enctype = multipart && method !== 'get' ? ' enctype="multipart/form-data"' : '';
    const extra = attrs(hb, { ...hash, class: cls }, ['as', 'url', 'method', 'multipart', 'enctype']);
    // The CSRF field comes first: a multipart form's token must precede its files (framework/storage checks it before storing any).
    return new SafeString(
      `<form method="${method === 'get' ? 'get' : 'post'}" action="${esc(String(url))}"${enctype}${extra} novalidate>${csrf}${tunnel}\n` +
        `${inner}</form>`,
    );
  });

  const field = (type: string) =>
    function (name: unknown, options: HelperOptions) {
      const helper = `${type}Field`;
      const form = formOf(options, helper);
      const key = String(name);
      const id = `${form.param}_${key}`;
      const errors = errorsOn(form.model, key);
      const hash = { ...(options.hash ?? {}) } as Record<string, unknown>;
      const label = hash.label === false ? '' : `<label for="${esc(id)}">${esc(String(hash.label ?? humanize(key)))}</label>`;
      const invalid = errors.length ? ` aria-invalid="true" aria-describedby="${esc(id)}_error"` : '';
      const value = form.model?.[key];
      const a = attrs(hb, hash, ['label', 'options', 'prompt', 'value']);
      let control: string;
      if (type === 'textArea') {
        control = `<textarea id="${esc(id)}" name="${esc(form.param)}[${esc(key)}]"${a}${invalid}>${esc(inputValue(hash.value ?? value))}</textarea>`;
      } else if (type === 'checkBox') {
        const checked = value === true || value === 1 || value === 'true' ? ' checked' : '';
        control =
          `<input type="hidden" name="${esc(form.param)}[${esc(key)}]" value="false">` +
          `<input type="checkbox" id="${esc(id)}" name="${esc(form.param)}[${esc(key)}]" value="true"${checked}${a}${invalid}>`;
        return new SafeString(
          `<div class="field check${errors.length ? ' field-with-errors' : ''}"><label for="${esc(id)}">${control} ${esc(String(hash.label ?? humanize(key)))}</label>` +
            `${errorList(errors, id)}</div>`,
        );
      } else if (type === 'select') {
        const choices = Array.isArray(hash.options) ? hash.options : [];
        const prompt = hash.prompt ? `<option value="">${esc(String(hash.prompt))}</option>` : '';
        const opts = choices.map((c: any) => {
          const v = typeof c === 'object' && c !== null ? c.value : c;
          const text = typeof c === 'object' && c !== null ? (c.label ?? c.value) : c;
          return `<option value="${esc(String(v))}"${String(v) === inputValue(value) ? ' selected' : ''}>${esc(String(text))}</option>`;
        });
        control = `<select id="${esc(id)}" name="${esc(form.param)}[${esc(key)}]"${a}${invalid}>${prompt}${opts.join('')}</select>`;
      } else {
        const inputType = type === 'datetime' ? 'datetime-local' : type;
        let v = inputValue(hash.value ?? value);
        if (type === 'date' && value instanceof Date) v = v.slice(0, 10);
        if (type === 'password') v = '';
        control = `<input type="${inputType}" id="${esc(id)}" name="${esc(form.param)}[${esc(key)}]" value="${esc(v)}"${a}${invalid}>`;
      }
      if (type === 'hidden') return new SafeString(control);
      return new SafeString(`<div class="field${errors.length ? ' field-with-errors' : ''}">${label}${control}${errorList(errors, id)}</div>`);
    };

  const errorList = (errors: string[], id: string) =>
    errors.length ? `<span class="field-error" id="${esc(id)}_error">${errors.map((e) => esc(e)).join('; ')}</span>` : '';

  for (const type of ['text', 'email', 'password', 'number', 'date', 'datetime', 'url', 'tel', 'search', 'color', 'hidden']) {
    hb.registerHelper(`${type}Field`, field(type));
  }
  hb.registerHelper('textArea', field('textArea'));

  /**
   * `{{fileField "cover" accept="image/*"}}`: a file input (its form becomes multipart/form-data). A file
   * input never shows the current value; `{{fileField "photos" multiple=true}}` sends several (as `post[photos][]`).
   */
  hb.registerHelper('fileField', function (name: unknown, options: HelperOptions) {
    const form = formOf(options, 'fileField');
    form.files = true;
    const key = String(name);
    const id = `${form.param}_${key}`;
    const errors = errorsOn(form.model, key);
    const hash = { ...(options.hash ?? {}) } as Record<string, unknown>;
    const multiple = hash.multiple === true;
    const label = hash.label === false ? '' : `<label for="${esc(id)}">${esc(String(hash.label ?? humanize(key)))}</label>`;
    const invalid = errors.length ? ` aria-invalid="true" aria-describedby="${esc(id)}_error"` : '';
    const a = attrs(hb, hash, ['label', 'value', 'type', 'name', 'id']);
    const control = `<input type="file" id="${esc(id)}" name="${esc(form.param)}[${esc(key)}]${multiple ? '[]' : ''}"${a}${invalid}>`;
    return new SafeString(`<div class="field${errors.length ? ' field-with-errors' : ''}">${label}${control}${errorList(errors, id)}</div>`);
  });
  hb.registerHelper('checkBox', field('checkBox'));
  hb.registerHelper('select', field('select'));

  /**
   * `{{submit}}` -> `Create Post` / `Update Post` inside `{{#formFor}}`; `{{submit "Publish"}}` for another label.
   * In a partial rendered with `submit="Create post"` (as the scaffold's `_form` is), that label is used.
   */
  hb.registerHelper('submit', function (this: unknown, ...args: unknown[]) {
    const options = args.pop() as HelperOptions;
    const given = (this as { submit?: unknown } | null)?.submit;
    const fallback = typeof given === 'string' && given ? given : ((options.data as any)?.strykeFormSubmit ?? 'Save');
    const text = args.length ? String(args[0]) : String(fallback);
    return new SafeString(`<button type="submit"${attrs(hb, options.hash)}>${esc(text)}</button>`);
  });
}
