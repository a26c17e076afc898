import type { AuditEntry } from './audit';
import type { AttachmentView } from './files';
import { h, page, qs, type Chrome } from './layout';
import type { IndexState } from './query';
import type { AdminField, AdminResource } from './resources';

/** A value as text for a table cell or a detail row. */
export function display(f: AdminField, v: unknown): string {
  if (v === null || v === undefined || v === '') return '<span style="color:#98a2b3">—</span>';
  if (f.decl.type === 'boolean') return v ? '<span class="pill yes">Yes</span>' : '<span class="pill no">No</span>';
  if (v instanceof Date) return h(v.toISOString().replace('T', ' ').slice(0, 16));
  if (f.belongsTo) {
    const t = f.belongsTo.target();
    return t ? `<a href="/admin/${h(t.slug)}/${h(v)}">${h(t.singular)} #${h(v)}</a>` : h(v);
  }
  if (f.decl.type === 'enum') return `<span class="pill">${h(v)}</span>`;
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return h(s.length > 80 ? `${s.slice(0, 79)}…` : s);
}

function filterControls(r: AdminResource, s: IndexState): string {
  return r.filters.map((f) => {
    const cur = s.filters.get(f.property);
    const t = f.decl.type;
    if ((t === 'date' || t === 'datetime') && !f.belongsTo) {
      return `<label>${h(f.label)} from<input type="date" name="${h(f.property)}_from" value="${h(cur?.from)}"></label><label>to<input type="date" name="${h(f.property)}_to" value="${h(cur?.to)}"></label>`;
    }
    const opts = t === 'boolean' ? [['true', 'Yes'], ['false', 'No']] : t === 'enum' ? (f.decl.values ?? []).map((v) => [String(v), String(v)]) : null;
    const value = cur?.eq === undefined ? '' : String(cur.eq);
    if (opts) {
      return `<label>${h(f.label)}<select name="f_${h(f.property)}"><option value="">Any</option>${opts.map(([v, l]) => `<option value="${h(v)}"${v === value ? ' selected' : ''}>${h(l)}</option>`).join('')}</select></label>`;
    }
    return `<label>${h(f.label)}<input type="text" name="f_${h(f.property)}" value="${h(value)}" size="10"></label>`;
  }).join('');
}

/** The query string of the current search and filters (for sort links, paging and export). */
export function stateQuery(r: AdminResource, s: IndexState, extra: Record<string, string | undefined> = {}): string {
  const pairs: Record<string, string | undefined> = { q: s.q };
  for (const [p, v] of s.filters) {
    if (v.eq !== undefined) pairs[`f_${p}`] = String(v.eq);
    if (v.from) pairs[`${p}_from`] = v.from;
    if (v.to) pairs[`${p}_to`] = v.to;
  }
  return qs({ ...pairs, ...extra });
}

export function indexPage(r: AdminResource, s: IndexState, records: any[], hasNext: boolean, chrome: Chrome): string {
  const base = `/admin/${h(r.slug)}`;
  const sortLink = (f: AdminField) => {
    if (!r.sortable.has(f.property)) return h(f.label);
    const on = s.sort === f.property;
    const dir = on && s.dir === 'asc' ? 'desc' : 'asc';
    return `<a href="${base}${h(stateQuery(r, s, { sort: f.property, dir }))}">${h(f.label)}${on ? (s.dir === 'asc' ? ' ▲' : ' ▼') : ''}</a>`;
  };
  const rows = records.map((rec) => `<tr><td class="check"><input type="checkbox" name="ids[]" value="${h(rec[r.pk.property])}" form="bulk" aria-label="Select #${h(rec[r.pk.property])}"></td>${
    r.columns.map((f, i) => `<td>${i === 0 ? `<a href="${base}/${h(rec[r.pk.property])}">${display(f, rec[f.property])}</a>` : display(f, rec[f.property])}</td>`).join('')
  }<td style="text-align:right"><a href="${base}/${h(rec[r.pk.property])}/edit">Edit</a></td></tr>`).join('');
  const last = records[records.length - 1];
  const next = !hasNext ? '' : s.sort === r.pk.property
    ? `${base}${stateQuery(r, s, { sort: s.sort, dir: s.dir, after: String(last[r.pk.property]) })}`
    : `${base}${stateQuery(r, s, { sort: s.sort, dir: s.dir, page: String(s.page + 1) })}`;
  const paged = s.after !== undefined || s.page > 1;
  const search = r.search.length ? `<label>Search ${h(r.search.map((f) => f.label.toLowerCase()).join(', '))}<input type="search" name="q" value="${h(s.q)}" placeholder="Search…"></label>` : '';
  const body = `<div class="crumbs"><a href="/admin">Admin</a> / ${h(r.label)}</div>
<div class="top"><h1>${h(r.label)}</h1><span class="spacer"></span>
<a class="btn" href="${base}/export${h(stateQuery(r, s, { sort: s.sort, dir: s.dir }))}">Export CSV</a><a class="btn primary" href="${base}/new">New ${h(r.singular.toLowerCase())}</a></div>
<div class="card"><form class="toolbar" method="get" action="${base}">${search}${filterControls(r, s)}<input type="hidden" name="sort" value="${h(s.sort)}"><input type="hidden" name="dir" value="${h(s.dir)}">
<button class="btn" type="submit">Apply</button>${s.q || s.filters.size ? `<a class="btn" href="${base}">Clear</a>` : ''}</form>
<form id="bulk" method="post" action="${base}/bulk_delete" onsubmit="return confirm('Delete the selected records?')"><input type="hidden" name="authenticity_token" value="${h(chrome.csrf)}"></form>
${records.length ? `<table><thead><tr><th class="check"></th>${r.columns.map((f) => `<th>${sortLink(f)}</th>`).join('')}<th></th></tr></thead><tbody>${rows}</tbody></table>`
    : `<div class="empty">${s.q || s.filters.size ? 'Nothing matches this search.' : `No ${h(r.label.toLowerCase())} yet.`}</div>`}
<div class="pager"><span><button class="btn danger" type="submit" form="bulk">Delete selected</button></span>
<span>${paged ? `<a class="btn" href="${base}${h(stateQuery(r, s, { sort: s.sort, dir: s.dir }))}">First page</a> ` : ''}${next ? `<a class="btn" rel="next" href="${h(next)}">Next page →</a>` : ''}</span></div></div>`;
  return page(r.label, body, { ...chrome, current: r.slug });
}

export function showPage(r: AdminResource, rec: any, counts: { label: string; href: string; count: number }[], attachments: AttachmentView[], history: AuditEntry[], chrome: Chrome): string {
  const id = rec[r.pk.property];
  const base = `/admin/${h(r.slug)}`;
  const dl = r.fields.map((f) => `<dt>${h(f.label)}</dt><dd>${display(f, rec[f.property])}</dd>`).join('');
  const rel = counts.map((c) => `<dt>${h(c.label)}</dt><dd><a href="${h(c.href)}">${c.count} ${c.count === 1 ? 'record' : 'records'} →</a></dd>`).join('');
  const files = attachments.map((a) => `<dt>${h(a.name)}</dt><dd>${a.files.length ? `<div class="files">${a.files.map((f) => `<a class="file" href="${h(f.url)}" target="_blank" rel="noopener">${f.image ? `<img src="${h(f.url)}" alt="">` : ''}<span>${h(f.filename)}</span></a>`).join('')}</div>` : '<span style="color:#98a2b3">none</span>'}</dd>`).join('');
  const body = `<div class="crumbs"><a href="/admin">Admin</a> / <a href="${base}">${h(r.label)}</a> / #${h(id)}</div>
<div class="top"><h1>${h(r.singular)} #${h(id)}</h1><span class="spacer"></span><a class="btn primary" href="${base}/${h(id)}/edit">Edit</a>
<form method="post" action="${base}/${h(id)}/delete" onsubmit="return confirm('Delete this record?')"><input type="hidden" name="authenticity_token" value="${h(chrome.csrf)}"><button class="btn danger">Delete</button></form></div>
<div class="card"><dl class="fields">${dl}${rel}${files}</dl></div>
<h2 style="font-size:16px">History</h2>${auditTable(history)}`;
  return page(`${r.singular} #${id}`, body, { ...chrome, current: r.slug });
}

export function auditTable(entries: AuditEntry[]): string {
  if (!entries.length) return '<div class="card"><div class="empty">No changes recorded yet.</div></div>';
  const rows = entries.map((e) => `<tr><td>${h(e.createdAt.slice(0, 19))}</td><td>${h(e.userLabel)}</td><td><span class="pill">${h(e.action)}</span></td>
<td><a href="/admin/${h(e.model)}/${h(e.recordId)}">${h(e.model)} #${h(e.recordId)}</a></td><td>${e.changes ? Object.entries(e.changes).map(([k, [a, b]]) => `<div><code>${h(k)}</code> ${h(JSON.stringify(a))} → ${h(JSON.stringify(b))}</div>`).join('') : ''}</td></tr>`).join('');
  return `<div class="card"><table><thead><tr><th>When (UTC)</th><th>Who</th><th>Action</th><th>Record</th><th>Changes</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function auditPage(entries: AuditEntry[], chrome: Chrome): string {
  return page('Audit log', `<div class="crumbs"><a href="/admin">Admin</a> / Audit log</div><div class="top"><h1>Audit log</h1></div>${auditTable(entries)}`, { ...chrome, current: '#audit' });
}

export function dashboardPage(resources: AdminResource[], chrome: Chrome): string {
  const tiles = resources.map((r) => `<a class="tile" href="/admin/${h(r.slug)}" style="color:inherit;text-decoration:none"><h3>${h(r.label)}</h3><p>${r.fields.length} fields · ${
    r.decl.associations.length} associations${r.attachments.length ? ` · ${r.attachments.length} attachments` : ''}</p></a>`).join('');
  return page('Admin', `<div class="top"><h1>Admin</h1></div><p style="color:#667085;margin-top:-8px">Every model of the app. Customise one in <code>app/admin/&lt;table&gt;.ts</code>.</p><div class="grid">${tiles}</div>`, chrome);
}
