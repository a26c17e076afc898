import type { PathHelpers } from '../routing/helpers';

/**
 * The path helpers of the app booted in this process, importable anywhere:
 * `import { paths } from 'stryke'; paths.postPath(post)`. Filled at boot.
 */
export const paths: PathHelpers = {};

export function setPaths(helpers: PathHelpers): void {
  for (const key of Object.keys(paths)) delete paths[key];
  Object.assign(paths, helpers);
}
