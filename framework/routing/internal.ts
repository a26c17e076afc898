/**
 * Routing's framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their surfaces"): the
 * route table and the path helpers the app's boot builds, a controller's name, and app/paths.d.ts's text.
 */
export { buildRouteTable, controllerName, type RouteFilters, type RouteSources } from './table';
export { buildPathHelpers } from './helpers';
export { renderPathTypes } from './types';
