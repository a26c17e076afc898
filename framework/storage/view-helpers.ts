import type Handlebars from 'handlebars';
import { AttachedMany, AttachedOne, urlFor } from './attached';
import { isUpload } from './upload';

type HelperOptions = Handlebars.HelperOptions;

/** The attachment a helper names: `record "cover"` (a record and the attachment's name) or a handle. */
function attachmentOf(args: unknown[]): AttachedOne | AttachedMany | undefined {
  const [first, second] = args;
  if (first instanceof AttachedOne || first instanceof AttachedMany) return first;
  if (first && typeof first === 'object' && typeof second === 'string') {
    const handle = (first as Record<string, unknown>)[second];
    if (handle instanceof AttachedOne || handle instanceof AttachedMany) return handle;
  }
  return undefined;
}

/**
 * View helpers for attachments. Handlebars reads only a record's own fields, so helpers take the record
 * and the attachment's name:
 * `{{#if (attached post "cover")}}<img src="{{urlFor post "cover"}}" alt="">{{/if}}`,
 * `{{attachmentImage post "cover" alt="Cover"}}`, `{{#each (attachmentUrls post "photos")}}...{{/each}}`.
 * The attachment must be loaded first (`await post.cover.load()`, or `loadAttached(posts, 'cover')`).
 */
export function registerStorageHelpers(hb: typeof Handlebars): void {
  const { SafeString, escapeExpression: esc } = hb;
  const argsOf = (all: unknown[]) => all.slice(0, -1);

  hb.registerHelper('attached', (...all: unknown[]) => attachmentOf(argsOf(all))?.attached ?? false);

  hb.registerHelper('urlFor', (...all: unknown[]) => {
    const args = argsOf(all);
    const options = all[all.length - 1] as HelperOptions;
    const disposition = options?.hash?.disposition === 'attachment' ? 'attachment' : undefined;
    const handle = attachmentOf(args);
    if (handle instanceof AttachedOne) return handle.attached ? handle.url({ disposition }) ?? '' : '';
    if (handle instanceof AttachedMany) return handle.urls({ disposition })[0] ?? '';
    const [first] = args;
    if (isUpload(first) || (first && typeof first === 'object' && 'key' in (first as object))) return urlFor(first as never, { disposition }) ?? '';
    return '';
  });

  hb.registerHelper('attachmentUrls', (...all: unknown[]) => {
    const handle = attachmentOf(argsOf(all));
    if (handle instanceof AttachedMany) return handle.urls();
    if (handle instanceof AttachedOne && handle.attached) return [handle.url()];
    return [];
  });

  /** Each attached file: an image as a linked `<img>`, anything else as a download link with its name. */
  hb.registerHelper('attachmentLinks', (...all: unknown[]) => {
    const handle = attachmentOf(argsOf(all));
    if (!handle || !handle.attached) return '';
    const blobs = handle instanceof AttachedOne ? [handle.blob!] : handle.blobs;
    const html = blobs.map((blob) => {
      const url = urlFor(blob) ?? '';
      if (blob.contentType.startsWith('image/')) return `<a href="${esc(url)}"><img src="${esc(url)}" alt="${esc(blob.filename)}" class="attachment"></a>`;
      return `<a href="${esc(urlFor(blob, { disposition: 'attachment' }) ?? '')}" download>${esc(blob.filename)}</a>`;
    });
    return new SafeString(html.join(' '));
  });

  hb.registerHelper('attachmentImage', (...all: unknown[]) => {
    const args = argsOf(all);
    const options = all[all.length - 1] as HelperOptions;
    const handle = attachmentOf(args);
    if (!handle) return '';
    const url = handle instanceof AttachedOne ? (handle.attached ? handle.url() : undefined) : handle.urls()[0];
    if (!url) return '';
    const hash = { ...(options?.hash ?? {}) } as Record<string, unknown>;
    const alt = hash.alt ?? '';
    delete hash.alt;
    const extra = Object.entries(hash)
      .filter(([, v]) => v !== false && v !== null && v !== undefined)
      .map(([k, v]) => ` ${k.replace(/[^a-zA-Z0-9_:-]/g, '')}="${esc(String(v))}"`).join('');
    return new SafeString(`<img src="${esc(url)}" alt="${esc(String(alt))}"${extra}>`);
  });
}
