import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CLIENT_SOURCE } from './client-source';

let asset: { path: string; body: string; etag: string } | undefined;

/** The browser client's fingerprinted path (`/stryke/channels-3f9a1c2b.js`) and text. */
export function clientAsset(): { path: string; body: string; etag: string } {
  if (asset) return asset;
  const hash = createHash('sha256').update(CLIENT_SOURCE).digest('hex').slice(0, 10);
  return (asset = { path: `/stryke/channels-${hash}.js`, body: CLIENT_SOURCE, etag: `"${hash}"` });
}

/** The browser client's path, for a `<script src>`: `{{channelsClientPath}}` in a view. */
export function channelsClientPath(): string {
  return clientAsset().path;
}

/** Serves the client at its fingerprinted path, cached for a year (a new version has a new path). */
export function registerClient(app: FastifyInstance): void {
  const { path, body, etag } = clientAsset();
  app.get(path, (req, reply) => {
    reply.header('cache-control', 'public, max-age=31536000, immutable').header('etag', etag);
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('text/javascript; charset=utf-8').send(body);
  });
}
