/** The dashboard's stylesheet, served from /stryke/jobs/dashboard.css (its CSP allows only 'self' styles). */
export const DASHBOARD_CSS = `
:root{--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--bg:#f6f7f9;--card:#fff;--accent:#4f46e5;--ok:#12a150;--bad:#d92d20;--warn:#b54708}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.bar{display:flex;align-items:center;gap:24px;padding:0 28px;height:56px;background:#111827;color:#fff}
.brand{display:flex;align-items:center;gap:10px;color:#fff;font-weight:650;font-size:16px}.brand:hover{text-decoration:none}
.logo{width:22px;height:22px;border-radius:6px;background:linear-gradient(135deg,#818cf8,#4f46e5)}
.bar nav{display:flex;gap:4px}.bar nav a{color:#cbd5e1;padding:6px 12px;border-radius:6px}.bar nav a.here,.bar nav a:hover{background:#1f2937;color:#fff;text-decoration:none}
.env{margin-left:auto;font-size:12px;padding:2px 10px;border-radius:999px;background:#1f2937;color:#a5b4fc}
main{max-width:1100px;margin:0 auto;padding:28px}
h1{font-size:24px;margin:4px 0 18px;display:flex;align-items:center;gap:12px}h2{font-size:15px;margin:22px 0 8px}h2 small,.muted{color:var(--muted);font-weight:400}
.crumbs{color:var(--muted);font-size:13px}
.card,.grid-table,.job{background:var(--card);border:1px solid var(--line);border-radius:10px}
.card{padding:16px 20px;margin-top:22px}.card h2{margin-top:0}
.grid-table{width:100%;border-collapse:separate;border-spacing:0;overflow:hidden}
.grid-table th,.grid-table td{padding:10px 14px;border-bottom:1px solid var(--line);text-align:left}
.grid-table tr:last-child td{border-bottom:0}.grid-table th{background:#f9fafb;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.num{text-align:right!important}.zero{color:#c0c5cf}
.count{display:inline-block;min-width:28px;padding:1px 8px;border-radius:999px;background:#eef2ff;font-weight:600}
.count.failed{background:#fee4e2;color:var(--bad)}.count.completed{background:#dcfae6;color:var(--ok)}.count.delayed{background:#fef0c7;color:var(--warn)}
.chart{width:100%;height:auto;display:block}.chart .grid{stroke:var(--line)}.chart .axis{fill:var(--muted);font-size:10px}
.chart .ok,.key.ok{fill:var(--ok);background:var(--ok)}.chart .bad,.key.bad{fill:var(--bad);background:var(--bad)}
.legend{color:var(--muted);font-size:12px;margin:8px 0 0}.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px}
.tabs{display:flex;gap:6px;flex-wrap:wrap;margin-bottom:16px}.tabs a{padding:6px 12px;border-radius:8px;background:var(--card);border:1px solid var(--line);color:var(--ink)}
.tabs a span{color:var(--muted);margin-left:4px}.tabs a.here{border-color:var(--accent);color:var(--accent);font-weight:600}
.jobs{display:flex;flex-direction:column;gap:10px}.job{padding:12px 16px;border-left:4px solid var(--line)}
.job.failed{border-left-color:var(--bad)}.job.completed{border-left-color:var(--ok)}.job.delayed{border-left-color:var(--warn)}.job.active{border-left-color:var(--accent)}
.job header{display:flex;align-items:center;gap:10px;flex-wrap:wrap}.id{font-family:ui-monospace,Menlo,monospace}.meta{color:var(--muted);font-size:12px}
.actions{margin-left:auto;display:flex;gap:6px}.actions form{margin:0}
button{font:inherit;font-size:13px;padding:5px 12px;border-radius:6px;border:1px solid var(--line);background:#fff;cursor:pointer}
button.retry{background:var(--accent);border-color:var(--accent);color:#fff}button.discard:hover{border-color:var(--bad);color:var(--bad)}
.error{color:var(--bad);background:#fef3f2;border-radius:6px;padding:8px 12px;margin:10px 0 4px;font-family:ui-monospace,Menlo,monospace;font-size:13px;white-space:pre-wrap;word-break:break-word}
pre{background:#0f172a;color:#e2e8f0;padding:12px 14px;border-radius:8px;overflow:auto;font-size:12.5px;max-height:420px}pre.stack{color:#fecaca}
details summary{cursor:pointer;color:var(--muted);font-size:13px;margin-top:6px}
.badge{font-size:12px;padding:2px 10px;border-radius:999px;background:#eef2ff;color:var(--accent)}.badge.failed{background:#fee4e2;color:var(--bad)}.badge.completed{background:#dcfae6;color:var(--ok)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 18px}.facts dt{color:var(--muted)}.facts dd{margin:0}
.empty{background:var(--card);border:1px dashed var(--line);border-radius:10px;padding:28px;text-align:center;color:var(--muted)}
.notice{background:#ecfdf3;color:#05603a;border:1px solid #abefc6;border-radius:8px;padding:8px 14px}
.pages{display:flex;justify-content:space-between;margin-top:14px}.lead{color:var(--muted)}
a.button{display:inline-block;background:var(--accent);color:#fff;padding:8px 16px;border-radius:8px}
code{font-family:ui-monospace,Menlo,monospace;font-size:12.5px}
`;
