/**
 * Caching's framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their surfaces"): the
 * app's boot configures and closes the app's cache, the view helpers register the `{{#cache}}` fragment helper.
 */
export { configureCache, closeCache } from './app-cache';
export { registerCacheHelper, fragmentCount } from './fragments';
