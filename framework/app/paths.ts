import type { PathHelpers, TypedPaths } from '../routing';

const helpers: PathHelpers = {};

/**
 * The path helpers of the app booted in this process, importable anywhere:
 * `import { paths } from 'stryke'; paths.postPath(post)`. Filled at boot; typed by app/paths.d.ts.
 */
export const paths = helpers as unknown as TypedPaths;

export function setPaths(next: PathHelpers): void {
  for (const key of Object.keys(helpers)) delete helpers[key];
  Object.assign(helpers, next);
}
