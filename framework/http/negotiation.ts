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
