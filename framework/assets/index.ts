import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { lazyModule } from '../support';
import { BuiltFiles, LiveFiles, sendEntry } from './files';
import { registerLiveReload } from './live-reload';
import { loadAssetManifest } from './manifest';
import type * as Build from './build';

export interface AssetSettings {
  /** The app's `public/` folder. */
  publicDir: string;
  env: string;
}

/**
 * Everything static for one app, registered by the HTTP server at boot: the files of `public/` (as they
 * are in development; fingerprinted, precompressed and cached forever when the app runs from a
 * `stryke build`), and under `stryke dev` the live-reload endpoint. (Dynamic responses are compressed
 * on their way out of the controller: see http/compress.ts.)
 * Files are served by a catch-all route, so an app route always wins and a miss answers the app's 404.
 */
export async function registerAssets(app: FastifyInstance, settings: AssetSettings): Promise<void> {
  const root = dirname(settings.publicDir);
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
export { injectLiveReload, LIVE_PATH, LIVE_SCRIPT, LIVE_SCRIPT_PATH, liveHello } from './live-reload';
export type { AssetResolver } from './manifest';
/** `stryke build`'s asset step, loaded on first use (a served app reads the manifest only). */
export const { buildAssets } = lazyModule(() => require('./build') as typeof Build);
