export { ViewEngine } from './engine';
export { ViewErrors } from './errors';
export type { RenderContext } from './helpers';
