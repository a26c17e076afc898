import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { writeBaseHeaders } from './headers';
import { requestFormat } from './negotiation';
import { requestFields } from './request-log';
import { hasRequestLogger } from './request-logger';
import type { AppRuntime } from './runtime';
import { isDatabaseUnavailable, OrmErrors } from '../orm';

/** Seconds a client is asked to wait (`Retry-After`) when the database is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

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
  // A database that is down or does not answer is the service being unavailable for a moment, not a bug.
  if (isDatabaseUnavailable(err)) {
    const cause = err;
    err = OrmErrors.UNAVAILABLE(String(cause?.message ?? cause));
    err.cause = cause;
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  }
  const status = statusOf(err);
  const title = STATUS_CODES[status] ?? 'Error';
  const dev = rt?.env === 'development';
  const local = dev || rt?.env === 'test';
  // At the production default level (warn) this is the request's only line: it says which request it was. (A
  // request that failed before its handler ran has no logger yet when fastify has none: request-logger.ts.)
  if (status >= 500) {
    if (rt?.attachLog && !hasRequestLogger(req)) rt.attachLog(req, reply);
    req.log.error({ ...requestFields(req, status), err }, 'request failed');
  }
  const hidden = status === 503 ? 'The service is unavailable for a moment: try again shortly.' : 'Something went wrong on our side.';
  const detail = status >= 500 && !local ? hidden : String(err?.message ?? title);
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
  const html = builtinPage(status, title, detail, code, status >= 500 && dev ? err?.stack : undefined);
  if (!rt) return reply.code(status).type('text/html; charset=utf-8').send(html);
  for (const [k, v] of rt.headers.document) reply.header(k, v);
  return rt.send(req, reply.code(status).type('text/html; charset=utf-8'), html);
}

/** The built-in error page, for apps without `app/views/errors/<status>.hbs`. */
function builtinPage(status: number, title: string, detail: string, code?: string, stack?: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${status} ${esc(title)}</title>` +
    `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:4rem auto;padding:0 1rem;color:#222}` +
    `h1{font-size:1.6rem}pre{background:#f6f6f6;padding:1rem;overflow:auto;font-size:.8rem}code{color:#a33}</style></head>` +
    `<body><h1>${status} ${esc(title)}</h1><p>${esc(detail)}</p>${code ? `<p><code>${esc(code)}</code></p>` : ''}` +
    `${stack ? `<pre>${esc(String(stack))}</pre>` : ''}</body></html>`;
}

const CLIENT_ERRORS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408, HPE_CHUNK_EXTENSIONS_OVERFLOW: 413 };

/**
 * Answers a connection whose request node could not even parse (a malformed request line, headers too
 * large, headers too slow): there is no request to negotiate with, so the built-in page, and the
 * connection closes. Replaces fastify's raw JSON for these.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: import('node:net').Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERRORS[err.code ?? ''] ?? 400;
  const title = STATUS_CODES[status] ?? 'Bad Request';
  const detail = status === 408 ? 'The request took too long to arrive.' : status === 431 ? 'The request headers are too large.' : 'The request could not be read.';
  const body = builtinPage(status, title, detail);
  socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`);
}
