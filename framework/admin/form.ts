import { REMOVE_FIELD, type AttachmentView } from './files';
import { h, page, type Chrome } from './layout';
import type { AdminField, AdminResource } from './resources';

/** Options for a belongsTo select: [id, label], or null when the target has too many rows for a select. */
export type Choices = Map<string, [string, string][] | null>;

function inputFor(f: AdminField, v: unknown, choices: Choices): string {
  const name = h(f.property);
  const t = f.decl.type;
  const str = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const opts = choices.get(f.property);
  if (f.belongsTo && opts) {
    return `<select id="f-${name}" name="${name}"><option value="">—</option>${opts.map(([id, label]) => `<option value="${h(id)}"${id === str ? ' selected' : ''}>${h(label)}</option>`).join('')}</select>`;
  }
  if (t === 'boolean') return `<input type="hidden" name="${name}" value="false"><input id="f-${name}" type="checkbox" name="${name}" value="true"${v ? ' checked' : ''}>`;
  if (t === 'enum') {
    return `<select id="f-${name}" name="${name}">${f.decl.nullable ? '<option value="">—</option>' : ''}${(f.decl.values ?? []).map((x) => `<option${String(x) === str ? ' selected' : ''}>${h(x)}</option>`).join('')}</select>`;
  }
  if (t === 'text' || t === 'json') return `<textarea id="f-${name}" name="${name}">${h(str)}</textarea>`;
  if (t === 'integer' || t === 'bigint' || t === 'float' || t === 'decimal') return `<input id="f-${name}" type="number" step="any" name="${name}" value="${h(str)}">`;
  if (t === 'date') return `<input id="f-${name}" type="date" name="${name}" value="${h(str.slice(0, 10))}">`;
  if (t === 'datetime') return `<input id="f-${name}" type="datetime-local" name="${name}" value="${h(str.slice(0, 16))}">`;
  return `<input id="f-${name}" type="text" name="${name}" value="${h(str)}"${f.decl.limit ? ` maxlength="${f.decl.limit}"` : ''}>`;
}

/** A file input per attachment; on edit, the current files (pictures shown small) and a box to remove them. */
function attachmentRows(r: AdminResource, current: AttachmentView[]): string {
  return r.attachments.map((a) => {
    const id = `f-${h(a.name)}`;
    const files = current.find((v) => v.name === a.name)?.files ?? [];
    const label = a.name.replace(/([a-z\d])([A-Z])/g, '$1 $2').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
    const shown = files.map((f) => `<a class="file" href="${h(f.url)}" target="_blank" rel="noopener">${f.image ? `<img src="${h(f.url)}" alt="">` : ''}<span>${h(f.filename)}</span></a>`).join('');
    const remove = files.length ? `<label class="remove"><input type="checkbox" name="${REMOVE_FIELD}[]" value="${h(a.name)}"> Remove ${a.kind === 'one' ? 'it' : `all ${files.length}`}</label>` : '';
    const hint = a.kind === 'one' ? (files.length ? 'Choose a file to replace it.' : 'Choose a file.') : (files.length ? 'Choose files to add.' : 'Choose one or more files.');
    return `<div class="row attachment"><label for="${id}">${h(label)}</label><div>${files.length ? `<div class="files">${shown}</div>${remove}` : ''}
<input id="${id}" type="file" name="${h(a.name)}${a.kind === 'many' ? '[]" multiple' : '"'}><div class="hint">${hint}</div></div></div>`;
  }).join('');
}

export function formPage(r: AdminResource, rec: any, isNew: boolean, choices: Choices, chrome: Chrome, files: AttachmentView[] = []): string {
  const id = rec[r.pk.property];
  const base = `/admin/${h(r.slug)}`;
  const errors: string[] = rec.errors?.fullMessages ?? [];
  const rows = r.editable.map((f) => {
    const errs: string[] = rec.errors?.on(f.property) ?? [];
    return `<div class="row${errs.length ? ' invalid' : ''}"><label for="f-${h(f.property)}">${h(f.label)}</label><div>${inputFor(f, rec[f.property], choices)}${
      errs.map((e) => `<div class="field-error">${h(f.label)} ${h(e)}</div>`).join('')}</div></div>`;
  }).join('');
  const title = isNew ? `New ${r.singular.toLowerCase()}` : `Edit ${r.singular.toLowerCase()} #${id}`;
  const body = `<div class="crumbs"><a href="/admin">Admin</a> / <a href="${base}">${h(r.label)}</a> / ${isNew ? 'New' : `<a href="${base}/${h(id)}">#${h(id)}</a> / Edit`}</div>
<div class="top"><h1>${h(title)}</h1></div>
${errors.length ? `<div class="errors" role="alert"><strong>${errors.length} ${errors.length === 1 ? 'error' : 'errors'} prevented saving:</strong><ul>${errors.map((e) => `<li>${h(e)}</li>`).join('')}</ul></div>` : ''}
<div class="card"><form class="record" method="post" action="${isNew ? base : `${base}/${h(id)}`}"${r.attachments.length ? ' enctype="multipart/form-data"' : ''} novalidate><input type="hidden" name="authenticity_token" value="${h(chrome.csrf)}">
${rows}${attachmentRows(r, files)}<div class="actions"><button class="btn primary" type="submit">${isNew ? 'Create' : 'Save changes'}</button><a class="btn" href="${isNew ? base : `${base}/${h(id)}`}">Cancel</a></div></form></div>`;
  return page(title, body, { ...chrome, current: r.slug });
}
