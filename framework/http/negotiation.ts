import type { FastifyRequest } from 'fastify';
import { FORMAT } from './runtime';

export type Format = 'html' | 'json';

/**
 * The response format a request asks for: `.json` on the path wins, then the Accept header (JSON when
 * it prefers application/json over text/html), then HTML.
 */
export function requestFormat(req: FastifyRequest): Format {
  const forced = (req.raw as any)[FORMAT] as Format | undefined;
  if (forced) return forced;
  const accept = req.headers.accept;
  // An API client that sends JSON and accepts anything gets JSON back.
  if (!accept || accept === '*/*') return String(req.headers['content-type'] ?? '').includes('json') ? 'json' : 'html';
  const json = accept.indexOf('application/json');
  if (json < 0) return 'html';
  const html = accept.indexOf('text/html');
  return html < 0 || json < html ? 'json' : 'html';
}

/** Strips a `.json` suffix from the path (before routing) and remembers the format on the raw request. */
export function rewriteFormatSuffix(req: { url?: string } & Record<symbol, unknown>): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path.length > 5 && path.endsWith('.json')) {
    req[FORMAT] = 'json';
    return path.slice(0, -5) + (q < 0 ? '' : url.slice(q));
  }
  return url;
}
