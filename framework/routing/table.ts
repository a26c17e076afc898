import type { Constructor, ControllerDecl, FilterDecl, HttpMethod } from '../registry';
import { singularize, underscore } from '../support/inflect';
import { RoutingErrors } from './errors';

export interface RouteDef {
  method: HttpMethod;
  /** The full path, in fastify's syntax (`/posts/:id`). */
  path: string;
  /** Route name (`post`, `new_post`), shared by routes at the same path with different verbs. */
  name?: string;
  controller: Constructor;
  action: string;
  /** Where the route was declared (file:line), for error messages and `stryke routes`. */
  source: string;
  /** The filters that run around this route's action, base class first. */
  filters: FilterDecl[];
}

const RESOURCE_ACTIONS: { action: string; method: HttpMethod; suffix: string; name: (s: string, p: string) => string }[] = [
  { action: 'index', method: 'GET', suffix: '', name: (_s, p) => p },
  { action: 'new', method: 'GET', suffix: '/new', name: (s) => `new_${s}` },
  { action: 'create', method: 'POST', suffix: '', name: (_s, p) => p },
  { action: 'show', method: 'GET', suffix: '/:id', name: (s) => s },
  { action: 'edit', method: 'GET', suffix: '/:id/edit', name: (s) => `edit_${s}` },
  { action: 'update', method: 'PATCH', suffix: '/:id', name: (s) => s },
  { action: 'update', method: 'PUT', suffix: '/:id', name: (s) => s },
  { action: 'destroy', method: 'DELETE', suffix: '/:id', name: (s) => s },
];

/** `PostsController` -> `posts`; `Admin::UsersController`-style nesting is expressed by prefix, not name. */
export function controllerName(target: Function): string {
  return underscore(target.name.replace(/Controller$/, ''));
}

/** Filters of the class and every base class, base first. */
function inheritedFilters(target: Constructor, all: Map<Function, ControllerDecl>): FilterDecl[] {
  const chain: Function[] = [];
  for (let c: any = target; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.unshift(c);
  return chain.flatMap((c) => all.get(c)?.filters ?? []);
}

/** Methods of the controller base class (render, json, redirectTo...): no action may take their names. */
let reserved: Set<string> | undefined;
function reservedNames(target: Constructor): Set<string> {
  if (reserved) return reserved;
  let base: any = target;
  while (Object.getPrototypeOf(base) && Object.getPrototypeOf(base) !== Function.prototype) base = Object.getPrototypeOf(base);
  reserved = new Set(Object.getOwnPropertyNames(base.prototype).filter((n) => n !== 'constructor'));
  return reserved;
}

function join(prefix: string, path: string): string {
  const p = `${prefix}${path === '/' ? '' : path}`;
  return p === '' ? '/' : p;
}

function filtersFor(filters: FilterDecl[], action: string): FilterDecl[] {
  return filters.filter((f) => (!f.only || f.only.includes(action)) && !(f.except && f.except.includes(action)));
}

/**
 * Expands the controller declarations into the app's route table: resources into their seven routes,
 * explicit routes under their prefix. Checks, once: every action exists, no method+path is declared
 * twice, and every filter names a method.
 */
export function buildRouteTable(decls: ControllerDecl[], all: Map<Function, ControllerDecl>): RouteDef[] {
  const routes: RouteDef[] = [];
  for (const decl of decls) {
    const target = decl.target;
    if (!decl.source) {
      if (decl.routes.length === 0) continue; // a base class carrying only filters
      throw RoutingErrors.NO_CONTROLLER_DECORATOR(target.name, decl.routes[0]!.source);
    }
    const proto = target.prototype;
    const filters = inheritedFilters(target, all);
    for (const f of filters) {
      if (typeof proto[f.method] !== 'function') throw RoutingErrors.UNKNOWN_FILTER(f.method, target.name, f.source);
    }
    if (decl.resources) {
      const plural = decl.resources.name.split('/').pop()!;
      const singular = singularize(plural);
      const { only, except } = decl.resources;
      for (const r of RESOURCE_ACTIONS) {
        if (typeof proto[r.action] !== 'function') continue;
        if (only && !only.includes(r.action)) continue;
        if (except && except.includes(r.action)) continue;
        routes.push({
          method: r.method, path: join(decl.prefix, r.suffix || '/'), name: r.name(singular, plural),
          controller: target, action: r.action, source: decl.source, filters: filtersFor(filters, r.action),
        });
      }
    }
    for (const r of decl.routes) {
      if (!r.path.startsWith('/')) throw RoutingErrors.BAD_PATH(r.path, r.source, r.path);
      if (typeof proto[r.action] !== 'function') {
        throw RoutingErrors.MISSING_ACTION(r.method, r.path, target.name, r.action, r.source);
      }
      if (reservedNames(target).has(r.action)) throw RoutingErrors.RESERVED_ACTION(target.name, r.action, r.source, r.action, r.action);
      routes.push({
        method: r.method, path: join(decl.prefix, r.path), name: r.name ?? `${controllerName(target)}_${underscore(r.action)}`,
        controller: target, action: r.action, source: r.source, filters: filtersFor(filters, r.action),
      });
    }
  }
  const seen = new Map<string, RouteDef>();
  for (const r of routes) {
    const key = `${r.method} ${r.path.replace(/:[A-Za-z0-9_]+/g, ':')}`;
    const prev = seen.get(key);
    if (prev) {
      throw RoutingErrors.DUPLICATE_ROUTE(r.method, r.path, `${prev.controller.name}#${prev.action}`, prev.source, `${r.controller.name}#${r.action}`, r.source);
    }
    seen.set(key, r);
  }
  return routes;
}
