/** Views: the Handlebars engine, its helpers, the precompiled bundle `stryke build` writes, and `stryke lint`'s checks. */
import { lazyModule } from '../support';
import type * as Lint from './lint';

export { ViewEngine } from './engine';
export { ViewErrors } from './errors';
export type { RenderContext } from './helpers';
export { bundleSource, compileSources, PRECOMPILED_FILE, readSources } from './compile';
/** `stryke lint`'s view checks, loaded on first use. */
export const { lintViews } = lazyModule(() => require('./lint') as typeof Lint);
