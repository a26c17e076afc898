import { lazyModule } from '../support';
export { ViewEngine } from './engine';
export { ViewErrors } from './errors';
export type { RenderContext } from './helpers';
export { bundleSource, compileSources, PRECOMPILED_FILE, readSources } from './compile';
import type * as Lint from './lint';
/** `stryke lint`'s view checks, loaded on first use. */
export const { lintViews } = lazyModule(() => require('./lint') as typeof Lint);
