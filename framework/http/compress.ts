import { Readable, pipeline } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface CompressionSettings {
  /** Compress dynamic responses at all (`compression` in config/server.toml; default true). */
  enabled: boolean;
  /** Bodies smaller than this many bytes are sent as they are (`compression_threshold`; default 1024). */
  threshold: number;
}

/** What a controller's answer leaves through: compression by size and type, and any page transform. */
export type BodySender = (req: FastifyRequest, reply: FastifyReply, body: string | Buffer | Readable) => FastifyReply;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
/** Quality 4 brotli: close to gzip's speed with a better ratio (11, the default, is for build time). */
const BROTLI_OPTIONS = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } };
const COMPRESSIBLE = /^(text\/|application\/(json|problem\+json|javascript|xml|xhtml\+xml|rss\+xml|atom\+xml|ld\+json|manifest\+json)|image\/svg\+xml)/i;

/** Reads `compression` (default true) and `compression_threshold` (bytes, default 1024) from the server config. */
export function compressionSettings(server: Record<string, unknown>): CompressionSettings {
  const threshold = Number(server.compression_threshold ?? 1024);
  return { enabled: server.compression !== false, threshold: Number.isFinite(threshold) && threshold >= 0 ? threshold : 1024 };
}

/** The encoding to use for an `Accept-Encoding` header: brotli, else gzip, honouring `q=0` and `*`. */
export function negotiateEncoding(accept: string | undefined): 'br' | 'gzip' | undefined {
  if (!accept) return undefined;
  const offered = new Map<string, number>();
  for (const part of accept.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    offered.set(name!.trim(), q ? Number(q.slice(2)) : 1);
  }
  const ok = (e: string) => (offered.get(e) ?? offered.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return undefined;
}

function addVary(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  if (!vary) reply.header('vary', 'Accept-Encoding');
  else if (!/accept-encoding/i.test(String(vary))) reply.header('vary', `${vary}, Accept-Encoding`);
}

/**
 * Builds, once at boot, the function every controller answer (a returned value, `render`, `json`) and
 * every error page is sent through. A body under the threshold is handed to fastify at once, so the
 * common small answer costs one comparison and no hook runs on any route. A larger body of a text type
 * is compressed with brotli or gzip by `Accept-Encoding` (with `Vary: Accept-Encoding`); a stream of a
 * text type is piped through the compressor. `transformHtml` (the live-reload script in development)
 * rewrites HTML pages before they are measured.
 */
export function bodySender(settings: CompressionSettings, transformHtml?: (html: string) => string): BodySender {
  const threshold = settings.threshold;
  return function send(req, reply, body) {
    // (A page rendered long arrives as its UTF-8 bytes, caching.ts pageBody: in development it is rewritten as text.)
    if (transformHtml && !(body instanceof Readable) && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) body = transformHtml(typeof body === 'string' ? body : body.toString());
    if (!settings.enabled) return reply.send(body);
    const isStream = body instanceof Readable;
    // Size first: most answers are small, and a body never compressed needs no Vary either.
    if (!isStream) {
      // A string has at least as many UTF-8 bytes as UTF-16 code units: one at least the threshold long is
      // not small, and its UTF-8 length (a pass over the whole text) is not needed here.
      const small = typeof body === 'string'
        ? body.length * 3 < threshold || (body.length < threshold && Buffer.byteLength(body) < threshold)
        : (body as Buffer).length < threshold;
      if (small) return reply.send(body);
    }
    const status = reply.statusCode;
    if (req.method === 'HEAD' || status === 204 || status === 304 || reply.getHeader('content-encoding')) return reply.send(body);
    const type = reply.getHeader('content-type');
    // A string with no type goes out as text/plain (fastify's default); a buffer or a stream as octet-stream.
    if (type === undefined ? typeof body !== 'string' : !COMPRESSIBLE.test(String(type)) || String(type).startsWith('text/event-stream')) return reply.send(body);
    addVary(reply);
    const encoding = negotiateEncoding(req.headers['accept-encoding']);
    if (!encoding) return reply.send(body);
    if (isStream) {
      reply.header('content-encoding', encoding).removeHeader('content-length');
      // pipeline, not pipe: a failing source destroys the compressor too, so the response ends.
      return reply.send(pipeline(body as Readable, encoding === 'br' ? zlib.createBrotliCompress(BROTLI_OPTIONS) : zlib.createGzip(), () => {}));
    }
    if (type === undefined) reply.type('text/plain; charset=utf-8');
    const compressed = encoding === 'br' ? brotli(body as string | Buffer, BROTLI_OPTIONS) : gzip(body as string | Buffer);
    compressed.then(
      (out) => reply.header('content-encoding', encoding).header('content-length', out.length).send(out),
      (err: Error) => reply.send(err),
    );
    // The reply is a thenable that settles when the response has been written, so returning it waits.
    return reply;
  };
}
