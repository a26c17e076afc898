import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { GeneratorErrors } from './errors';
import type { GeneratorDef } from './generate';
import { isApiApp } from './generate';
import { appNames } from './names';

const TAGS = '{{> pwa/tags}}';

/** The layout with the PWA tags before `</head>` (idempotent). */
export function withPwaTags(layout: string): string {
  if (layout.includes(TAGS) || !layout.includes('</head>')) return layout;
  return layout.replace('</head>', `  ${TAGS}\n</head>`);
}

function appTitle(root: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string };
    return appNames(String(pkg.name ?? 'app')).title;
  } catch {
    return 'App';
  }
}

/**
 * `stryke generate pwa`: the PwaController (service worker, web app manifest, icons), the offline page,
 * the registration script and the layout's tags.
 */
export const PWA_GENERATOR: Record<string, GeneratorDef> = {
  pwa: {
    summary: 'an installable PWA: manifest, icons, a service worker with an offline page, cache versions from the asset fingerprints',
    usage: 'pwa',
    example: 'stryke generate pwa',
    nameless: true,
    prepare(_name, args, root, mode) {
      if (args.length) throw GeneratorErrors.PWA_ARGS(args.join(' '));
      if (mode === 'generate' && isApiApp(root)) throw GeneratorErrors.PWA_API_APP();
      const notes: string[] = [];
      if (mode === 'generate') {
        const layout = join(root, 'app', 'views', 'layouts', 'application.hbs');
        const src = existsSync(layout) ? readFileSync(layout, 'utf8') : '';
        const next = withPwaTags(src);
        if (next !== src) {
          writeFileSync(layout, next);
          notes.push('added {{> pwa/tags}} to app/views/layouts/application.hbs.');
        } else if (!src.includes(TAGS)) notes.push('add {{> pwa/tags}} inside <head> of your layout.');
        notes.push('the service worker caches by the fingerprints of `stryke build`: try it offline from a build (`npx stryke build && npx stryke start`).');
      }
      return { schematics: ['pwa'], locals: { title: appTitle(root) }, notes };
    },
  },
};
