export {
  Controller, Resources, Route, Get, Post, Put, Patch, Delete, Sse, Ws, Member, Collection, Before, After, Around,
  SkipBefore, SkipAfter, SkipAround, Use,
} from './decorators';
export type { RouteOptions, ResourcesOptions, FilterOptions, ControllerOptions } from './decorators';
export { buildRouteTable, controllerName, type RouteDef, type RouteFilters, type RouteSources } from './table';
export { buildPathHelpers, type PathHelpers, type PathHelper, type PathParam, type QueryParams, type AppPaths, type TypedPaths } from './helpers';
export { renderPathTypes } from './types';
export { routes, RouteBuilder, MemberBuilder, type RouteSet, type RouteTarget } from './dsl';
export type { RouteSpec, RouteKind } from './spec';
export { RoutingErrors } from './errors';
