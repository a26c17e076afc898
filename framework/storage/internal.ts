/**
 * The storage concern's framework-only surface: what the app's boot and other concerns wire, which users need not
 * reach. Not a package subpath; see docs/architecture.md, "Concerns and their surfaces".
 */
export { storageSettings } from './config';
export { configureStorage, resetStorage } from './runtime';
export { registerStorageHelpers } from './view-helpers';
