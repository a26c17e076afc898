import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { writeBaseHeaders } from '../security/headers';
import { requestFormat } from './negotiation';
import type { AppRuntime } from './runtime';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function statusOf(err: any): number {
  const s = err?.status ?? err?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
}

/**
 * Answers an error: `application/problem+json` for JSON clients, otherwise an HTML page
 * (`app/views/errors/<status>.hbs` when the app has one). Every error comes here: an action's, a parser's
 * (bad JSON, a body too large, an unsupported media type), the router's (a malformed URL) and 404s.
 * Only development shows a stack; the message of a 500 shows in development and test, never in production.
 * An error's code shows when it is one of stryke's (STRYKE_E_...) and not a 500; development and test show
 * any code, so a production body never carries an internal one (`SQLITE_ERROR`, fastify's `FST_ERR_...`).
 */
export function sendError(err: any, req: FastifyRequest, reply: FastifyReply, rt: AppRuntime | undefined): FastifyReply {
  const status = statusOf(err);
  const title = STATUS_CODES[status] ?? 'Error';
  const dev = rt?.env === 'development';
  const local = dev || rt?.env === 'test';
  if (status >= 500) req.log.error({ err }, 'request failed');
  const detail = status >= 500 && !local ? 'Something went wrong on our side.' : String(err?.message ?? title);
  const rawCode = typeof err?.code === 'string' ? err.code : undefined;
  const code = rawCode && (local || (status < 500 && rawCode.startsWith('STRYKE_E_'))) ? rawCode : undefined;
  const errors = err?.record?.errors?.toJSON?.() ?? err?.fieldErrors;
  if (rt) writeBaseHeaders(rt.headers, req, reply);
  if (reply.sent || reply.raw.headersSent) return reply;

  if (!rt || requestFormat(req) === 'json') {
    const body: Record<string, unknown> = { type: 'about:blank', title, status, detail };
    if (code) body.code = code;
    if (errors) body.errors = errors;
    return reply.code(status).type('application/problem+json').send(JSON.stringify(body));
  }
  const view = `errors/${status}`;
  if (rt.views.has(view)) {
    const html = rt.views.render(view, { status, title, detail, code }, { csrfToken: () => '', flash: {} }, false);
    for (const [k, v] of rt.headers.document) reply.header(k, v);
    return rt.send(req, reply.code(status).type('text/html; charset=utf-8'), html);
  }
  const stack = status >= 500 && dev && err?.stack ? `<pre>${esc(String(err.stack))}</pre>` : '';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${status} ${esc(title)}</title>` +
    `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:4rem auto;padding:0 1rem;color:#222}` +
    `h1{font-size:1.6rem}pre{background:#f6f6f6;padding:1rem;overflow:auto;font-size:.8rem}code{color:#a33}</style></head>` +
    `<body><h1>${status} ${esc(title)}</h1><p>${esc(detail)}</p>${code ? `<p><code>${esc(code)}</code></p>` : ''}${stack}</body></html>`;
  if (!rt) return reply.code(status).type('text/html; charset=utf-8').send(html);
  for (const [k, v] of rt.headers.document) reply.header(k, v);
  return rt.send(req, reply.code(status).type('text/html; charset=utf-8'), html);
}
