/**
 * The mailers concern's framework-only surface: what the app's boot and other concerns wire, which users need not
 * reach. Not a package subpath; see docs/architecture.md, "Concerns and their surfaces".
 */
export { bootMailers, closeMailers } from './runtime';
import { lazyModule } from '../support';
import type * as Previews from './previews';

// The previews (and their pages) mount in development only: a production boot loads none of them.
export const { mountPreviews } = lazyModule(() => require('./previews') as typeof Previews);
export { mailerRegistry, mailersWithin, previewsWithin } from './registry';
