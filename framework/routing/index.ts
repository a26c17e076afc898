/**
 * Routing (`stryke/routing`): the controller and route decorators, `routes()` for config/routes.ts, and the types of
 * the app's path helpers. What the app's boot, the HTTP layer, the mailers and the command line need (building the
 * route table and the path helpers, writing app/paths.d.ts) is in ./internal.ts.
 */
export {
  Controller, Resources, Route, Get, Post, Put, Patch, Delete, Sse, Ws, Member, Collection, Before, After, Around,
  SkipBefore, SkipAfter, SkipAround, Use,
} from './decorators';
export type { RouteOptions, ResourcesOptions, FilterOptions, ControllerOptions } from './decorators';
export type { RouteDef } from './table';
export type { PathHelpers, PathHelper, PathParam, QueryParams, AppPaths, TypedPaths } from './helpers';
export { routes, RouteBuilder, MemberBuilder, type RouteSet, type RouteTarget } from './dsl';
export type { RouteSpec, RouteKind } from './spec';
export { RoutingErrors } from './errors';
