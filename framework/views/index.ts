/**
 * Views (`stryke/views`): the Handlebars engine that renders the app's templates (`new ViewEngine(root, paths)`,
 * to render one outside a request) and the context its helpers read. The precompiled bundle `stryke build` writes
 * and `stryke lint`'s checks are in ./internal.ts.
 */
export { ViewEngine } from './engine';
export { ViewErrors } from './errors';
export type { RenderContext } from './helpers';
