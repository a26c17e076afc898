import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadConfig } from '../config/load';
import { registerCompression, type CompressionSettings } from './compress';
import { BuiltFiles, LiveFiles, sendEntry } from './files';
import { registerLiveReload } from './live-reload';
import { loadAssetManifest } from './manifest';

export interface AssetSettings {
  /** The app's `public/` folder. */
  publicDir: string;
  env: string;
  /** Compression of dynamic responses; default from config/server.toml (`compression`, `compression_threshold`). */
  compression?: CompressionSettings;
}

/** Reads `compression` (default true) and `compression_threshold` (bytes, default 1024) from config/server.toml. */
export function compressionSettings(root: string, env: string): CompressionSettings {
  let server: Record<string, any> = {};
  try {
    server = (loadConfig(root, env).server as Record<string, any>) ?? {};
  } catch {
    /* config errors are reported by boot itself */
  }
  const threshold = Number(server.compression_threshold ?? 1024);
  return { enabled: server.compression !== false, threshold: Number.isFinite(threshold) && threshold >= 0 ? threshold : 1024 };
}

/**
 * Everything static for one app, registered by the HTTP server at boot: the files of `public/` (as they
 * are in development; fingerprinted, precompressed and cached forever when the app runs from a
 * `stryke build`), compression of dynamic responses, and under `stryke dev` the live-reload endpoint.
 * Files are served by a catch-all route, so an app route always wins and a miss answers the app's 404.
 */
export async function registerAssets(app: FastifyInstance, settings: AssetSettings): Promise<void> {
  const root = dirname(settings.publicDir);
  registerCompression(app, settings.compression ?? compressionSettings(root, settings.env));
  if (settings.env === 'development' && process.env.STRYKE_LIVE_RELOAD === '1') registerLiveReload(app);
  if (!existsSync(settings.publicDir)) return;
  const manifest = loadAssetManifest(root);
  const files = manifest ? new BuiltFiles(settings.publicDir, manifest) : new LiveFiles(settings.publicDir);
  const handler = (req: FastifyRequest, reply: FastifyReply) => {
    const found = files.lookup(req.raw.url ?? '/');
    if ('entry' in found) return sendEntry(found.entry, req, reply);
    if (found.status === 403) return reply.code(403).type('text/plain; charset=utf-8').send('Forbidden');
    return reply.callNotFound();
  };
  app.route({ method: ['GET', 'HEAD'], url: '/*', handler });
}

export { MANIFEST_FILE, loadAssetManifest, assetResolver, type AssetManifest } from './manifest';
export { AssetErrors } from './errors';
