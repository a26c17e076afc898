import { formatAddress } from './headers';
import type { RenderedMessage } from './render';

/** Escapes text for HTML. */
export function h(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:root { --ink:#1d2433; --muted:#667085; --line:#e4e7ec; --bg:#f6f7f9; --card:#fff; --accent:#4f46e5; --accent-soft:#eef2ff; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink); background:var(--bg); }
header.bar { display:flex; align-items:center; gap:12px; padding:14px 28px; background:var(--card); border-bottom:1px solid var(--line); }
header.bar .logo { width:28px; height:28px; border-radius:8px; background:linear-gradient(135deg,#6366f1,#06b6d4); }
header.bar a { color:inherit; text-decoration:none; font-weight:600; }
header.bar .env { margin-left:auto; font-size:12px; color:var(--muted); border:1px solid var(--line); border-radius:999px; padding:2px 10px; }
main { max-width:1080px; margin:0 auto; padding:28px; }
h1 { font-size:22px; margin:0 0 4px; } .lead { color:var(--muted); margin:0 0 24px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:12px; margin-bottom:18px; overflow:hidden; }
.card h2 { font-size:15px; margin:0; padding:14px 18px; border-bottom:1px solid var(--line); display:flex; justify-content:space-between; }
.card h2 small { color:var(--muted); font-weight:400; }
.card ul { list-style:none; margin:0; padding:0; }
.card li a { display:flex; justify-content:space-between; padding:11px 18px; color:var(--ink); text-decoration:none; border-top:1px solid var(--line); }
.card li:first-child a { border-top:0; } .card li a:hover { background:var(--accent-soft); color:var(--accent); }
.card li a span { color:var(--muted); font-size:13px; }
.empty { padding:40px; text-align:center; color:var(--muted); }
code { font:13px ui-monospace,SFMono-Regular,Menlo,monospace; background:var(--accent-soft); padding:1px 5px; border-radius:5px; }
.crumbs { font-size:13px; color:var(--muted); margin-bottom:10px; } .crumbs a { color:var(--accent); text-decoration:none; }
dl.headers { display:grid; grid-template-columns:110px 1fr; margin:0; padding:14px 18px; gap:6px 14px; font-size:14px; }
dl.headers dt { color:var(--muted); } dl.headers dd { margin:0; word-break:break-word; }
.tabs { display:flex; gap:4px; padding:10px 14px 0; border-top:1px solid var(--line); background:#fafbfc; }
.tabs a { padding:8px 14px; border-radius:8px 8px 0 0; color:var(--muted); text-decoration:none; font-weight:500; font-size:14px; }
.tabs a.on { background:var(--card); color:var(--accent); border:1px solid var(--line); border-bottom-color:var(--card); margin-bottom:-1px; }
.tabs a.off { opacity:.45; pointer-events:none; }
iframe { display:block; width:100%; height:70vh; border:0; border-top:1px solid var(--line); background:#fff; }
pre.text { margin:0; padding:20px; border-top:1px solid var(--line); white-space:pre-wrap; font:13.5px/1.6 ui-monospace,SFMono-Regular,Menlo,monospace; min-height:30vh; }
.pill { display:inline-block; font-size:12px; border-radius:999px; padding:1px 9px; background:var(--accent-soft); color:var(--accent); margin-right:6px; }
.error { border-color:#fda29b; } .error h2 { color:#b42318; background:#fef3f2; } .error pre { margin:0; padding:18px; white-space:pre-wrap; font:13px ui-monospace,monospace; }
`;

export function page(title: string, body: string, env: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${h(title)} · Mailer previews</title><link rel="icon" href="data:,"><style>${STYLE}</style></head><body>
<header class="bar"><div class="logo"></div><a href="/stryke/mailers">Mailer previews</a><span class="env">${h(env)}</span></header>
<main>${body}</main></body></html>`;
}

export interface PreviewListing {
  slug: string;
  className: string;
  methods: string[];
}

export function indexPage(previews: PreviewListing[], env: string): string {
  const cards = previews.map((p) => `<section class="card"><h2>${h(p.className)} <small>${p.methods.length} ${p.methods.length === 1 ? 'message' : 'messages'}</small></h2><ul>${
    p.methods.map((m) => `<li><a href="/stryke/mailers/${h(p.slug)}/${h(m)}">${h(m)}<span>HTML · text →</span></a></li>`).join('')
  }</ul></section>`).join('');
  const empty = `<section class="card"><div class="empty">No previews yet. Add a class under <code>app/mailers/previews/</code>, such as
<code>user_mailer_preview.ts</code> with <code>@Preview()</code> and a method per message, or run <code>npx stryke generate mailer UserMailer welcome</code>.</div></section>`;
  return page('Mailer previews', `<h1>Mailer previews</h1><p class="lead">Every message your mailers send, rendered with sample data. Only in development.</p>${cards || empty}`, env);
}

export function messagePage(slug: string, className: string, method: string, message: RenderedMessage, part: 'html' | 'text', env: string): string {
  const list = (xs: { name: string; address: string }[]) => xs.map((a) => h(formatAddress(a))).join(', ');
  const rows: [string, string][] = [
    ['From', h(formatAddress(message.from))],
    ['To', list(message.to)],
    ...(message.cc.length ? [['Cc', list(message.cc)] as [string, string]] : []),
    ...(message.bcc.length ? [['Bcc', list(message.bcc)] as [string, string]] : []),
    ...(message.replyTo.length ? [['Reply-To', list(message.replyTo)] as [string, string]] : []),
    ['Subject', `<strong>${h(message.subject)}</strong>`],
    ['Mailer', `<code>${h(message.label)}</code>`],
    ...(message.attachments.length ? [['Attachments', message.attachments.map((a) => `<span class="pill">${h(a.filename)}</span>`).join('')] as [string, string]] : []),
  ];
  const base = `/stryke/mailers/${h(slug)}/${h(method)}`;
  const tab = (p: 'html' | 'text', label: string) => {
    const has = p === 'html' ? message.html !== undefined : message.text !== undefined;
    return `<a class="${!has ? 'off' : p === part ? 'on' : ''}" href="${base}?part=${p}">${label}</a>`;
  };
  const body = part === 'html'
    ? `<iframe title="HTML part" sandbox src="${base}/html"></iframe>`
    : `<pre class="text">${h(message.text ?? '')}</pre>`;
  return page(`${className}#${method}`, `<div class="crumbs"><a href="/stryke/mailers">Previews</a> / ${h(className)}</div>
<h1>${h(method)}</h1><p class="lead">${h(message.subject)}</p>
<section class="card"><dl class="headers">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
<nav class="tabs">${tab('html', 'HTML')}${tab('text', 'Text')}</nav>${body}</section>`, env);
}

export function errorPage(title: string, err: Error, env: string): string {
  const code = (err as { code?: string }).code;
  return page(title, `<div class="crumbs"><a href="/stryke/mailers">Previews</a></div><h1>${h(title)}</h1>
<section class="card error"><h2>${h(code ?? err.name)}</h2><pre>${h(err.message)}</pre></section>`, env);
}
