import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseRange, rangeApplies } from '../support';
import { StorageErrors } from './errors';
import type { StorageRuntime } from './runtime';
import { BLOBS_PATH, verifySignedToken } from './signed';

/** `Content-Disposition` with the name both as a plain ASCII fallback and as RFC 8187 UTF-8. */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * Serves signed blob URLs (signed.ts): the token checked in constant time, then the bytes streamed from
 * the blob's service with the type sniffed at upload, `X-Content-Type-Options: nosniff`, a
 * Content-Disposition (never inline for SVG or HTML), a CSP that runs nothing, and Range requests
 * answered 206 (416 when outside the file).
 */
export function registerBlobRoute(app: FastifyInstance, runtime: () => StorageRuntime): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const rt = runtime();
    // A wildcard, not `:token/:filename`: a token is longer than the router's limit for one parameter.
    const rest = (req.params as { '*': string })['*'] ?? '';
    const blob = verifySignedToken(rest.slice(0, rest.indexOf('/') === -1 ? rest.length : rest.indexOf('/')), rt.signingKey);
    const service = rt.settings.services.get(blob.service);
    if (!service) throw StorageErrors.URL_INVALID();
    const etag = `"${blob.key}"`;
    const size = blob.byteSize;
    reply.header('x-content-type-options', 'nosniff');
    reply.header('accept-ranges', 'bytes');
    reply.header('etag', etag);
    reply.header('cache-control', `private, max-age=${Math.max(0, blob.expiresAt - Math.floor(Date.now() / 1000))}`);
    reply.header('content-disposition', `${contentDisposition(blob.disposition, blob.filename)}`);
    const sandbox = blob.contentType === 'application/pdf' ? '' : '; sandbox';
    reply.header('content-security-policy', `default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'${sandbox}`);
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    const range = rangeApplies(req.headers['if-range'], etag) ? parseRange(req.headers.range, size) : undefined;
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${size}`);
      throw StorageErrors.RANGE_NOT_SATISFIABLE(String(req.headers.range), size);
    }
    reply.type(blob.contentType);
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1);
    } else {
      reply.header('content-length', size);
    }
    if (req.method === 'HEAD') return reply.send();
    if (size === 0) return reply.send('');
    let body;
    try {
      body = await service.download(blob.key, range);
    } catch (err) {
      const e = err as { code?: string; name?: string };
      if (e.code === 'ENOENT' || e.name === 'NoSuchKey' || e.name === 'NotFound') {
        reply.removeHeader('content-length').removeHeader('content-range').removeHeader('content-disposition').code(200);
        throw StorageErrors.BLOB_MISSING();
      }
      throw err;
    }
    return reply.send(body);
  };
  app.route({ method: ['GET', 'HEAD'], url: `${BLOBS_PATH}/*`, handler });
}
