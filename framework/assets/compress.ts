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
  // A callback hook (no promise per response): most responses leave through the first lines untouched.
  app.addHook('onSend', (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, value?: unknown) => void) => {
    if ((reply as any)[NO_COMPRESS] || req.method === 'HEAD' || reply.statusCode === 204 || reply.statusCode === 304) return done(null, payload);
    if (payload === null || payload === undefined) return done(null, payload);
    // Size first: most API answers are small, and a body never compressed needs no Vary either.
    const isStream = payload instanceof Readable;
    const size = isStream ? Infinity : typeof payload === 'string' ? (payload.length < settings.threshold / 3 ? 0 : Buffer.byteLength(payload)) : Buffer.isBuffer(payload) ? payload.length : -1;
    if (size < settings.threshold) return done(null, payload);
    if (reply.getHeader('content-encoding')) return done(null, payload);
    const type = String(reply.getHeader('content-type') ?? '');
    if (!COMPRESSIBLE.test(type) || type.startsWith('text/event-stream')) return done(null, payload);
    const vary = reply.getHeader('vary');
    if (!vary) reply.header('vary', 'Accept-Encoding');
    else if (!/accept-encoding/i.test(String(vary))) reply.header('vary', `${vary}, Accept-Encoding`);
    const encoding = negotiate(req.headers['accept-encoding']);
    if (!encoding) return done(null, payload);
    if (isStream) {
      reply.header('content-encoding', encoding).removeHeader('content-length');
      return done(null, (payload as Readable).pipe(encoding === 'br' ? zlib.createBrotliCompress(BROTLI_OPTIONS) : zlib.createGzip()));
    }
    const compress = encoding === 'br' ? brotli(payload as string | Buffer, BROTLI_OPTIONS) : gzip(payload as string | Buffer);
    compress.then(
      (out) => {
        reply.header('content-encoding', encoding).header('content-length', out.length);
        done(null, out);
      },
      (err: Error) => done(err),
    );
  });
}
