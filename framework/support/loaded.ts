/**
 * Whether an optional part of the framework (the jobs layer, the mailers) has been loaded by app code: each
 * marks itself when its module runs. Asked at boot to skip what an app does not use. A flag, not a look into
 * require.cache, so the answer holds in a bundled build too (`stryke build`), where no module has a file.
 */
const KEY = Symbol.for('stryke.loaded');
const loaded: Set<string> = ((globalThis as Record<symbol, Set<string>>)[KEY] ??= new Set());

export function markLoaded(part: 'jobs' | 'mailers'): void {
  loaded.add(part);
}

export function isLoaded(part: 'jobs' | 'mailers'): boolean {
  return loaded.has(part);
}
