/**
 * Views' framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their surfaces"): the
 * precompiled bundle `stryke build` writes, and `stryke lint`'s view checks (loaded on first use).
 */
import { lazyModule } from '../support';
import type * as Lint from './lint';

export { bundleSource, compileSources, PRECOMPILED_FILE, readSources } from './compile';
/** `stryke lint`'s view checks, loaded on first use. */
export const { lintViews } = lazyModule(() => require('./lint') as typeof Lint);
