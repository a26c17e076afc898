import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

export interface AssetSettings {
  /** The app's `public/` folder. */
  publicDir: string;
  env: string;
}

/** Serves the app's static files (`public/`). Registered by the HTTP server at boot. */
export async function registerAssets(app: FastifyInstance, settings: AssetSettings): Promise<void> {
  if (!existsSync(settings.publicDir)) return;
  await app.register(require('@fastify/static'), { root: settings.publicDir, prefix: '/', wildcard: false, index: false });
}
