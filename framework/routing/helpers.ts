import { camelize } from '../support';
import { RoutingErrors } from './errors';
import type { RouteDef } from './table';

export type PathHelper = (...args: any[]) => string;
export type PathHelpers = Record<string, PathHelper>;

/** A path segment's value: a scalar, or a record (its `id` is used). */
export type PathParam = string | number | { id: unknown };
/** A trailing object of query-string values. */
export type QueryParams = Record<string, string | number | boolean | null | undefined>;

/**
 * The app's path helpers, typed. `app/paths.d.ts` (written by `stryke routes --types`) declares one method per
 * route here; until it exists, helpers are untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface AppPaths {}

/** `AppPaths` once generated, the untyped helpers before. */
export type TypedPaths = keyof AppPaths extends never ? PathHelpers : AppPaths;

function segmentValue(v: unknown): string {
  if (v && typeof v === 'object' && 'id' in v) return String((v as { id: unknown }).id);
  return String(v);
}

function queryString(q: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * Builds one path function per route name, compiled once: `postPath(42)` -> `/posts/42`,
 * `editPostPath(post)` -> `/posts/7/edit`, and a `...Url` twin with the app's base URL
 * (`postUrl(42)` -> `https://example.com/posts/42`). A trailing plain object becomes the query string.
 * A `:format` segment takes its value like any parameter.
 */
export function buildPathHelpers(routes: RouteDef[], baseUrl = 'http://localhost:3000'): PathHelpers {
  const helpers: PathHelpers = {};
  const origin = baseUrl.replace(/\/$/, '');
  for (const route of routes) {
    if (!route.name) continue;
    const helperName = `${camelize(route.name)}Path`;
    if (helpers[helperName]) continue;
    if (route.kind === 'ws') continue;
    const parts = route.path.replace(/\([^)]*\)/g, '').split(/(:[A-Za-z0-9_]+)/).filter((p) => p !== '');
    const params = parts.filter((p) => p.startsWith(':')).map((p) => p.slice(1));
    const path = route.path;
    helpers[helperName] = (...args: unknown[]) => {
      let i = 0;
      let out = '';
      for (const part of parts) {
        if (part[0] !== ':') {
          out += part;
          continue;
        }
        const v = args[i++];
        if (v === undefined || v === null || v === '') throw RoutingErrors.MISSING_PARAM(helperName, part.slice(1), path);
        out += encodeURIComponent(segmentValue(v));
      }
      const extra = args[params.length];
      if (extra && typeof extra === 'object' && !('id' in extra)) out += queryString(extra as Record<string, unknown>);
      return out;
    };
    const pathFn = helpers[helperName]!;
    helpers[`${camelize(route.name)}Url`] = (...args: unknown[]) => `${origin}${pathFn(...args)}`;
  }
  return helpers;
}
