export { Controller, Resources, Route, Get, Post, Put, Patch, Delete, Before, After } from './decorators';
export type { RouteOptions, ResourcesOptions, FilterOptions } from './decorators';
export { buildRouteTable, controllerName, type RouteDef } from './table';
export { buildPathHelpers, type PathHelpers, type PathHelper } from './helpers';
export { RoutingErrors } from './errors';
