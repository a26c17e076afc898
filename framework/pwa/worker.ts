import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadAssetManifest } from '../assets';

/** The page the service worker shows for a navigation while the network (or the server) is down. */
export const OFFLINE_PAGE = '/offline.html';
const PRECACHED = /\.(css|js|svg|png|webp|woff2?|ico|webmanifest)$/;

export interface WorkerPlan {
  version: string;
  precache: string[];
}

/**
 * What the service worker caches and the version of that cache: from a build, the assets manifest's
 * fingerprinted files (so a new `stryke build` with a changed asset gives a new version, and the worker
 * drops the old cache); in development, public/'s files as they are, versioned by their sizes and times.
 */
export function workerPlan(root: string): WorkerPlan {
  const manifest = loadAssetManifest(root);
  const hash = createHash('sha256');
  const precache = new Set<string>([OFFLINE_PAGE, '/icon.svg', '/icon-192.png', '/icon-512.png', '/manifest.webmanifest']);
  if (manifest) {
    for (const [name, e] of Object.entries(manifest.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
      hash.update(`${name}:${e.hash}\n`);
      if (PRECACHED.test(name) && precache.size < 60) precache.add(`/${e.path}`);
    }
  } else {
    const pub = join(root, 'public');
    for (const name of existsSync(pub) ? readdirSync(pub).sort() : []) {
      const st = statSync(join(pub, name));
      if (!st.isFile()) continue;
      hash.update(`${name}:${st.size}:${st.mtimeMs}\n`);
      if (PRECACHED.test(name) && precache.size < 60) precache.add(`/${name}`);
    }
  }
  const offline = join(root, 'public', 'offline.html');
  if (existsSync(offline)) hash.update(readFileSync(offline));
  return { version: hash.digest('hex').slice(0, 16), precache: [...precache] };
}

/** The service worker's source for a plan. */
export function workerSource(plan: WorkerPlan): string {
  return `// Service worker written by stryke (docs/pwa.md). Cache version ${plan.version} follows the asset fingerprints.
const CACHE = 'stryke-${plan.version}';
const PRECACHE = ${JSON.stringify(plan.precache)};
const OFFLINE = ${JSON.stringify(OFFLINE_PAGE)};

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('stryke-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    // Pages always come from the network (never a stale page); the offline page only when it is unreachable.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
`;
}
