/**
 * The mailers concern's framework-only surface: what the app's boot and other concerns wire, which users need not
 * reach. Not a package subpath; see docs/architecture.md, "Concerns and their surfaces".
 */
export { bootMailers, closeMailers } from './runtime';
export { mountPreviews } from './previews';
export { mailerRegistry, mailersWithin, previewsWithin } from './registry';
