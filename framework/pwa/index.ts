/**
 * The PWA: a service worker whose cache version follows the asset fingerprints, the web app manifest and
 * icons drawn without image tools. `stryke generate pwa` writes the app's PwaController (which serves them),
 * the offline page, the registration script and the layout tags. See docs/pwa.md.
 */
import { dirname } from 'node:path';
import { registry } from '../registry';
import { appDirOf } from '../admin/internal';
import { appIconPng, appIconSvg } from './png';
import { workerPlan, workerSource } from './worker';

export { encodePng, appIconPng, appIconSvg } from './png';
export { workerPlan, workerSource, OFFLINE_PAGE, type WorkerPlan } from './worker';

export interface PwaOptions {
  name: string;
  shortName?: string;
  description?: string;
  themeColor?: string;
  backgroundColor?: string;
  /** The icon's gradient. */
  colors?: [string, string];
}

interface Host {
  reply: any;
}

const cache = new Map<string, unknown>();
function once<T>(key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}

/** The app root (the folder with public/ and, from a build, assets-manifest.json) of this controller. */
function rootOf(c: Host): string {
  const decl = registry.controllers.get(c.constructor as Function);
  return dirname(dirname(appDirOf(decl?.source ?? '')));
}

function send(c: Host, type: string, body: string | Buffer, cacheControl: string) {
  c.reply.type(type).header('cache-control', cacheControl);
  return body;
}

/** The actions of the app's PwaController (written by `stryke generate pwa`). */
export const pwa = {
  /** `/service-worker.js`: always revalidated, so a new build's worker (a new cache version) is found at once. */
  serviceWorker(c: Host) {
    const root = rootOf(c);
    const source = once(`sw:${root}`, () => workerSource(workerPlan(root)));
    return send(c, 'text/javascript; charset=utf-8', source, 'no-cache');
  },

  manifest(c: Host, o: PwaOptions) {
    const body = once(`manifest:${o.name}`, () => JSON.stringify({
      name: o.name, short_name: o.shortName ?? o.name, description: o.description ?? '', start_url: '/', scope: '/', display: 'standalone',
      theme_color: o.themeColor ?? '#4f46e5', background_color: o.backgroundColor ?? '#ffffff',
      icons: [
        { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any maskable' },
        { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any maskable' },
        { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' },
      ],
    }, null, 2));
    return send(c, 'application/manifest+json; charset=utf-8', body, 'public, max-age=3600');
  },

  icon(c: Host, size: 192 | 512, o: Partial<PwaOptions> = {}) {
    const png = once(`png:${size}:${o.colors?.join()}`, () => appIconPng(size, ...(o.colors ?? [])));
    return send(c, 'image/png', png, 'public, max-age=86400');
  },

  iconSvg(c: Host, o: Partial<PwaOptions> = {}) {
    return send(c, 'image/svg+xml; charset=utf-8', appIconSvg(...(o.colors ?? [])), 'public, max-age=86400');
  },
};
