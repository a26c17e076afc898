import type { AdminResource } from './resources';

/** Escapes text for HTML. */
export function h(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A query string from pairs (values URL-encoded; empty ones left out). */
export function qs(pairs: Record<string, string | undefined>): string {
  const parts = Object.entries(pairs).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

const STYLE = `
:root{--ink:#101828;--muted:#667085;--line:#e4e7ec;--bg:#f5f6f8;--card:#fff;--accent:#4f46e5;--accent-soft:#eef2ff;--danger:#d92d20;--ok:#067647}
*{box-sizing:border-box}body{margin:0;font:14.5px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.shell{display:grid;grid-template-columns:232px 1fr;min-height:100vh}
nav.side{background:#111827;color:#d0d5dd;padding:18px 12px;position:sticky;top:0;height:100vh;overflow:auto}
nav.side .brand{display:flex;align-items:center;gap:10px;color:#fff;font-weight:700;padding:4px 10px 18px}
nav.side .logo{width:26px;height:26px;border-radius:7px;background:linear-gradient(135deg,#6366f1,#06b6d4)}
nav.side a{display:block;color:#d0d5dd;padding:7px 10px;border-radius:7px;font-size:14px}nav.side a:hover{background:#1f2937;text-decoration:none;color:#fff}
nav.side a.on{background:#312e81;color:#fff}nav.side .group{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:#98a2b3;padding:14px 10px 6px}
main{padding:26px 32px;max-width:1280px}
.top{display:flex;align-items:center;gap:12px;margin-bottom:18px}.top h1{font-size:22px;margin:0}.top .spacer{flex:1}
.crumbs{font-size:13px;color:var(--muted);margin-bottom:6px}
.btn{display:inline-flex;align-items:center;gap:6px;border:1px solid var(--line);background:#fff;color:var(--ink);border-radius:8px;padding:7px 13px;font:inherit;font-weight:500;cursor:pointer}
.btn:hover{text-decoration:none;background:#f9fafb}.btn.primary{background:var(--accent);border-color:var(--accent);color:#fff}.btn.danger{color:var(--danger);border-color:#fecdca}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;overflow:hidden;margin-bottom:18px}
.toolbar{display:flex;flex-wrap:wrap;gap:10px;align-items:end;padding:14px 16px;border-bottom:1px solid var(--line);background:#fcfcfd}
.toolbar label{font-size:12px;color:var(--muted);display:flex;flex-direction:column;gap:3px}
input,select,textarea{font:inherit;border:1px solid #d0d5dd;border-radius:8px;padding:7px 10px;background:#fff;color:var(--ink)}
input[type=search]{min-width:240px}textarea{width:100%;min-height:120px}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:10px 14px;border-bottom:1px solid var(--line);vertical-align:top;font-size:14px}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);background:#fcfcfd;white-space:nowrap}
th a{color:inherit}tr:last-child td{border-bottom:0}tbody tr:hover{background:#f9fafb}td.check,th.check{width:36px}
.pill{display:inline-block;font-size:12px;border-radius:999px;padding:1px 9px;background:var(--accent-soft);color:var(--accent)}
.pill.yes{background:#ecfdf3;color:var(--ok)}.pill.no{background:#f2f4f7;color:var(--muted)}
.pager{display:flex;gap:8px;justify-content:space-between;align-items:center;padding:12px 16px;border-top:1px solid var(--line);font-size:13px;color:var(--muted)}
.empty{padding:44px;text-align:center;color:var(--muted)}
.flash{padding:10px 14px;border-radius:9px;margin-bottom:14px}.flash.notice{background:#ecfdf3;color:var(--ok);border:1px solid #abefc6}.flash.alert{background:#fef3f2;color:var(--danger);border:1px solid #fecdca}
dl.fields{display:grid;grid-template-columns:200px 1fr;margin:0}dl.fields dt,dl.fields dd{padding:11px 16px;border-bottom:1px solid var(--line);margin:0}dl.fields dt{color:var(--muted)}
form.record .row{display:grid;grid-template-columns:200px 1fr;gap:14px;padding:12px 16px;border-bottom:1px solid var(--line)}form.record .row label{color:var(--muted);padding-top:7px}
form.record .row input[type=text],form.record .row input[type=number],form.record .row select,form.record .row input[type=date],form.record .row input[type=datetime-local]{width:100%;max-width:520px}
.field-error{color:var(--danger);font-size:13px;margin-top:4px}.row.invalid input,.row.invalid select,.row.invalid textarea{border-color:var(--danger)}
.errors{background:#fef3f2;border:1px solid #fecdca;color:#912018;border-radius:10px;padding:12px 16px;margin-bottom:16px}.errors ul{margin:6px 0 0;padding-left:18px}
.actions{display:flex;gap:10px;padding:14px 16px}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:14px}
.tile{background:#fff;border:1px solid var(--line);border-radius:12px;padding:16px}.tile h3{margin:0 0 4px;font-size:15px}.tile p{margin:0;color:var(--muted);font-size:13px}
.files{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:8px}.file{display:flex;flex-direction:column;gap:4px;font-size:13px;max-width:180px;overflow-wrap:anywhere}.file img{width:160px;height:110px;object-fit:cover;border-radius:8px;border:1px solid var(--line);background:#f2f4f7}
.remove{display:block;color:var(--danger)!important;font-size:13px;padding:0 0 8px!important}.hint{color:var(--muted);font-size:12px;margin-top:4px}form.record .row input[type=file]{font-size:13px}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--accent-soft);padding:1px 5px;border-radius:5px}
`;

export interface Chrome {
  resources: AdminResource[];
  current?: string;
  user: string;
  flash: Record<string, unknown>;
  csrf: string;
}

export function page(title: string, body: string, c: Chrome): string {
  const links = c.resources.map((r) => `<a href="/admin/${h(r.slug)}"${r.slug === c.current ? ' class="on"' : ''}>${h(r.label)}</a>`).join('');
  const flash = ['notice', 'alert'].map((k) => (c.flash[k] ? `<div class="flash ${k}" role="status">${h(c.flash[k])}</div>` : '')).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="csrf-token" content="${h(c.csrf)}"><title>${h(title)} · Admin</title><link rel="icon" href="data:,"><style>${STYLE}</style></head><body>
<div class="shell"><nav class="side"><div class="brand"><div class="logo"></div><a href="/admin" style="color:#fff;padding:0">Admin</a></div>
<div class="group">Models</div>${links}<div class="group">Activity</div><a href="/admin/audit"${c.current === '#audit' ? ' class="on"' : ''}>Audit log</a>
<div class="group">${h(c.user)}</div><a href="/">Back to the site</a></nav><main>${flash}${body}</main></div></body></html>`;
}
