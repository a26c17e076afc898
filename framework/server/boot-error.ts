import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { SourceMap } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIVE_PATH, LIVE_SCRIPT, LIVE_SCRIPT_PATH, injectLiveReload, liveHello } from '../assets';

/** What went wrong at boot (or at compile time), for the terminal and the browser. */
export interface BootProblem {
  title: string;
  message: string;
  /** `app/controllers/posts_controller.ts`, relative to the app. */
  file?: string;
  line?: number;
  column?: number;
}

/** The first place in the app's own sources that an error names: `file:line[:col]` in its message or stack. */
export function locate(root: string, err: unknown): Pick<BootProblem, 'file' | 'line' | 'column'> {
  const text = `${(err as Error)?.message ?? ''}\n${(err as Error)?.stack ?? ''}`;
  const re = /((?:\/|[A-Za-z]:\\)[^\s():]+|[\w./-]+\.(?:ts|js|hbs|toml)):(\d+)(?::(\d+))?/g;
  let fallback: Pick<BootProblem, 'file' | 'line' | 'column'> = {};
  for (const m of text.matchAll(re)) {
    const abs = isAbsolute(m[1]!) ? m[1]! : join(root, m[1]!);
    const rel = relative(root, abs);
    if (rel.startsWith('..') || rel.includes('node_modules')) continue;
    let hit: Pick<BootProblem, 'file' | 'line' | 'column'> = { file: rel, line: Number(m[2]), column: m[3] ? Number(m[3]) : undefined };
    if (rel.endsWith('.js')) hit = original(root, abs, hit);
    if (!hit.file!.startsWith('build')) return hit;
    fallback = fallback.file ? fallback : hit;
  }
  return fallback;
}

/** Maps a place in compiled JavaScript to its TypeScript source through the `.js.map` beside it. */
function original(root: string, abs: string, at: Pick<BootProblem, 'file' | 'line' | 'column'>): Pick<BootProblem, 'file' | 'line' | 'column'> {
  try {
    const mapFile = `${abs}.map`;
    if (!existsSync(mapFile)) return at;
    const map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
    const entry = map.findEntry(at.line! - 1, (at.column ?? 1) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!entry?.originalSource) return at;
    const src = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(abs), entry.originalSource);
    return { file: relative(root, src), line: entry.originalLine! + 1, column: entry.originalColumn! + 1 };
  } catch {
    return at;
  }
}

export function problemFrom(root: string, err: unknown): BootProblem {
  const e = err as Error & { code?: string };
  let where = locate(root, err);
  const view = /(app\/views\/[^\s:]+\.hbs)/.exec(String(e?.message ?? ''));
  if (!where.file && view) where = { file: view[1], line: Number(/line (\d+)/.exec(String(e?.message))?.[1] ?? 0) || undefined };
  return { title: e?.code ? `${e.code}` : (e?.name ?? 'Error'), message: String(e?.message ?? err), ...where };
}

/** Five lines of source around the line at fault, numbered, the faulty one marked. */
export function codeFrame(root: string, p: BootProblem): string {
  if (!p.file || !p.line) return '';
  const file = join(root, p.file);
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').split('\n');
  const from = Math.max(1, p.line - 2);
  const to = Math.min(lines.length, p.line + 2);
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(`${n === p.line ? '>' : ' '} ${String(n).padStart(4)} | ${lines[n - 1]}`);
  return out.join('\n');
}

/** The terminal's view of a problem: one headline with file and line, the message, the code frame. */
export function formatProblem(root: string, p: BootProblem): string {
  const at = p.file ? ` at ${p.file}${p.line ? `:${p.line}` : ''}${p.column ? `:${p.column}` : ''}` : '';
  const frame = codeFrame(root, p);
  return `stryke dev: ${p.title}${at}\n${p.message}${frame ? `\n\n${frame}` : ''}\n`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function problemPage(root: string, p: BootProblem): string {
  const at = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}${p.column ? `:${p.column}` : ''}` : '';
  const frame = codeFrame(root, p);
  return injectLiveReload(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Boot error · stryke dev</title>' +
      '<style>body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#1d1f24;color:#e8e8e8}' +
      'header{background:#b3261e;color:#fff;padding:1.2rem 2rem}h1{margin:0;font-size:1.3rem}' +
      'main{padding:1.5rem 2rem}.at{font-family:ui-monospace,monospace;color:#ffb4ab;font-size:1.05rem}' +
      'pre{background:#111317;padding:1rem;border-radius:6px;overflow:auto;font-size:.85rem;white-space:pre-wrap}' +
      'p.hint{color:#aaa}</style></head><body>' +
      `<header><h1>${esc(p.title)}</h1></header><main>` +
      (at ? `<p class="at" data-file="${esc(p.file ?? '')}" data-line="${p.line ?? ''}">${esc(at)}</p>` : '') +
      `<pre class="message">${esc(p.message)}</pre>` +
      (frame ? `<pre class="frame">${esc(frame)}</pre>` : '') +
      '<p class="hint">stryke dev is watching: fix the file and this page reloads itself.</p></main></body></html>',
  );
}

/**
 * Under `stryke dev`, a worker whose app cannot boot serves this instead: every request answers 500 with
 * the problem (file, line, code frame), and the live-reload stream stays up, so the page reloads itself
 * once the fix has booted.
 */
export function serveProblem(root: string, p: BootProblem, port: number, host: string): Promise<Server> {
  const html = problemPage(root, p);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === LIVE_PATH) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(liveHello());
      return;
    }
    if (path === LIVE_SCRIPT_PATH) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(LIVE_SCRIPT);
    }
    const json = /json/.test(String(req.headers.accept ?? ''));
    if (json) {
      res.writeHead(500, { 'content-type': 'application/problem+json' });
      return res.end(JSON.stringify({ type: 'about:blank', title: p.title, status: 500, detail: p.message, file: p.file, line: p.line }));
    }
    res.writeHead(500, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen(server));
  });
}
