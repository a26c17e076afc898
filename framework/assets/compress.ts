import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NO_COMPRESS } from './files';

export interface CompressionSettings {
  /** Compress dynamic responses at all (`compression` in config/server.toml; default true). */
  enabled: boolean;
  /** Bodies smaller than this many bytes are sent as they are (`compression_threshold`; default 1024). */
  threshold: number;
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
/** Quality 4 brotli: close to gzip's speed with a better ratio (11, the default, is for build time). */
const BROTLI_OPTIONS = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } };
const COMPRESSIBLE = /^(text\/|application\/(json|problem\+json|javascript|xml|xhtml\+xml|rss\+xml|atom\+xml|ld\+json|manifest\+json)|image\/svg\+xml)/i;

function negotiate(accept: string | undefined): 'br' | 'gzip' | undefined {
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

/**
 * Compresses dynamic responses (rendered HTML, JSON) with brotli or gzip, chosen by `Accept-Encoding`,
 * when the body is at least `threshold` bytes and of a compressible type. Static files are left alone
 * (they come precompressed from `stryke build`). A global onSend hook, so it covers every route.
 */
export function registerCompression(app: FastifyInstance, settings: CompressionSettings): void {
  if (!settings.enabled) return;
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if ((reply as any)[NO_COMPRESS] || req.method === 'HEAD' || reply.statusCode === 204 || reply.statusCode === 304) return payload;
    if (payload === null || payload === undefined || reply.getHeader('content-encoding')) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!COMPRESSIBLE.test(type) || type.startsWith('text/event-stream')) return payload;
    const encoding = negotiate(req.headers['accept-encoding']);
    const vary = reply.getHeader('vary');
    if (!vary) reply.header('vary', 'Accept-Encoding');
    else if (!/accept-encoding/i.test(String(vary))) reply.header('vary', `${vary}, Accept-Encoding`);
    if (!encoding) return payload;
    if (payload instanceof Readable) {
      reply.header('content-encoding', encoding).removeHeader('content-length');
      return payload.pipe(encoding === 'br' ? zlib.createBrotliCompress(BROTLI_OPTIONS) : zlib.createGzip());
    }
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (size < settings.threshold) return payload;
    const out = encoding === 'br' ? await brotli(payload, BROTLI_OPTIONS) : await gzip(payload);
    reply.header('content-encoding', encoding).header('content-length', out.length);
    return out;
  });
}
