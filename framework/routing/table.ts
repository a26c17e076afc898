import type { Constructor, ControllerDecl, FilterDecl } from '../registry';
import type * as Auth from '../auth/internal';
import type * as Channels from '../channels';
import { lazyModule, singularize, underscore } from '../support';
import { registry } from '../registry';
import { RoutingErrors } from './errors';
import { expandResources, joinName, parentParam, type RouteSpec } from './spec';

// Auth and channels sit beside routing, not below it: the command line reads route tables without loading them.
const { authModeOf } = lazyModule(() => require('../auth/internal') as typeof Auth);
const { ChannelErrors } = lazyModule(() => require('../channels') as typeof Channels);

export interface RouteFilters {
  before: string[] | null;
  around: string[] | null;
  after: string[] | null;
}

/** A route as served: its spec with the controller resolved, filters and middleware composed. */
export interface RouteDef extends Omit<RouteSpec, 'target'> {
  controller: Constructor;
  /** The controller's key, from its file under app/controllers (`posts`, `api/v1/posts`), when known. */
  controllerKey?: string;
  /** The filter methods that run around this action, resolved once (null when none). */
  filters: RouteFilters;
  /** Middleware for this route: global, then the controller's (base class first), then the action's. */
  middleware: unknown[];
  /** `@RequireAuth()` / `@AllowAnonymous()` as resolved for this action (undefined: neither applies). */
  auth?: 'require' | 'allow';
}

/** `PostsController` -> `posts`. */
export function controllerName(target: Function): string {
  return underscore(target.name.replace(/Controller$/, ''));
}

function classChain(target: Constructor): Function[] {
  const chain: Function[] = [];
  for (let c: any = target; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.unshift(c);
  return chain;
}

function applies(f: { only?: string[]; except?: string[] }, action: string): boolean {
  return (!f.only || f.only.includes(action)) && !(f.except && f.except.includes(action));
}

/** The filters for one action: inherited ones first, with `Skip*` declarations removing earlier ones. */
function resolveFilters(target: Constructor, action: string, all: Map<Function, ControllerDecl>): RouteFilters {
  const list: FilterDecl[] = [];
  for (const c of classChain(target)) {
    for (const f of all.get(c)?.filters ?? []) {
      if (!applies(f, action)) continue;
      if (f.kind === 'skip') {
        for (let i = list.length - 1; i >= 0; i--) if (list[i]!.kind === f.skips && list[i]!.method === f.method) list.splice(i, 1);
      } else {
        list.push(f);
      }
    }
  }
  const of = (kind: string) => {
    const names = list.filter((f) => f.kind === kind).map((f) => f.method);
    return names.length ? names : null;
  };
  return { before: of('before'), around: of('around'), after: of('after') };
}

function resolveMiddleware(target: Constructor, action: string, all: Map<Function, ControllerDecl>, global: unknown[]): unknown[] {
  const out = [...global];
  for (const c of classChain(target)) for (const u of all.get(c)?.uses ?? []) if (!u.action) out.push(u.middleware);
  for (const u of all.get(target)?.uses ?? []) if (u.action === action) out.push(u.middleware);
  return out;
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

/** The route specs a decorated controller declares. */
function decoratorSpecs(decl: ControllerDecl): RouteSpec[] {
  const target = decl.target;
  const proto = target.prototype;
  const nsParts = decl.namespace ? decl.namespace.split('/') : [];
  const nsPath = nsParts.length ? `/${nsParts.join('/')}` : '';
  const nsNames = nsParts.map(underscore);
  const specs: RouteSpec[] = [];
  const host = decl.host;
  let collectionPath = `${nsPath}${decl.prefix}`;
  let memberPath = collectionPath;
  let plural = '';
  let memberNames = nsNames;
  let collectionNames = nsNames;
  if (decl.resources) {
    const r = decl.resources;
    plural = r.name.split('/').pop()!;
    const nestedPath = r.nestedIn ? `${nsPath}/${r.nestedIn}/:${parentParam(r.nestedIn)}` : nsPath;
    const nestedNames = r.nestedIn ? [singularize(r.nestedIn.split('/').pop()!)] : [];
    collectionPath = `${nestedPath}/${r.name}`;
    memberPath = r.shallow ? `${nsPath}/${r.name}` : collectionPath;
    memberNames = r.shallow ? nsNames : [...nsNames, ...nestedNames];
    collectionNames = [...nsNames, ...nestedNames];
    specs.push(...expandResources(r.name, r, { path: nsPath, nestedPath, names: nsNames, nestedNames, controller: '', host }, target, decl.source,
      (action) => typeof proto[action] === 'function'));
  }
  for (const r of decl.routes) {
    if (!r.path.startsWith('/')) throw RoutingErrors.BAD_PATH(r.path, r.source, r.path);
    let name = r.name;
    let base = collectionPath;
    if (name?.startsWith('@member:')) {
      name = joinName(underscore(r.action), ...memberNames, singularize(plural || controllerName(target)));
      base = memberPath;
    } else if (name?.startsWith('@collection:')) {
      name = joinName(underscore(r.action), ...collectionNames, plural || controllerName(target));
    } else if (name) {
      name = joinName(...nsNames, name);
    } else {
      name = joinName(...nsNames, controllerName(target), underscore(r.action));
    }
    const path = `${base}${r.path === '/' ? '' : r.path}` || '/';
    specs.push({
      method: r.method, path, name, target, action: r.action, source: r.source, kind: r.kind ?? 'http',
      constraints: r.host ?? host ? { host: (r.host ?? host)! } : undefined, formats: r.formats, bodyLimit: r.bodyLimit, stream: r.stream, params: r.params, body: r.body,
    });
  }
  return specs;
}

export interface RouteSources {
  /** Controller declarations of this app (decorators). */
  decls: ControllerDecl[];
  /** Every controller declaration (for inherited filters). */
  all: Map<Function, ControllerDecl>;
  /** Routes from config/routes.ts, if any. */
  central?: RouteSpec[];
  /** Controller classes by key (`posts`, `api/v1/users`), for config/routes.ts targets. */
  controllers?: Map<string, Constructor>;
  /** Middleware from config/middleware.ts, run for every route. */
  globalMiddleware?: unknown[];
  /** Channel classes by key (`chat` for app/channels/chat_channel.ts), for `r.ws(path, 'chat')`. */
  channels?: Map<string, Constructor>;
}

/** A ws route: its target resolved to a `@Channel` class (never a controller action). */
function channelRoute(spec: RouteSpec, channels: Map<string, Constructor>): RouteDef {
  let target: Constructor | undefined;
  const label = typeof spec.target === 'string' ? spec.target : spec.target.name;
  if (typeof spec.target === 'string') {
    if (spec.target.includes('#')) throw ChannelErrors.NOT_A_CHANNEL(spec.path, spec.source, spec.target);
    target = channels.get(spec.target);
    if (!target) {
      const known = [...channels.keys()];
      const key = spec.target;
      throw ChannelErrors.UNKNOWN_CHANNEL(spec.path, spec.source, key, key, known.length ? ` Known: ${known.join(', ')}.` : '');
    }
  } else {
    target = spec.target;
  }
  if (spec.action || !registry.channels.get(target)?.source) throw ChannelErrors.NOT_A_CHANNEL(spec.path, spec.source, spec.action ? `${label}#${spec.action}` : label);
  const keys = new Map([...channels].map(([key, cls]) => [cls, key]));
  return {
    method: 'GET', path: spec.path, name: spec.name, controller: target, controllerKey: keys.get(target), action: '', source: spec.source,
    kind: 'ws', constraints: spec.constraints, filters: { before: null, around: null, after: null }, middleware: [],
  };
}

/**
 * Builds the app's route table from decorators and config/routes.ts: resources into their routes,
 * explicit routes under their prefix, filters and middleware resolved per action. Checks, once: every
 * action exists and is not a helper's name, every filter names a method, no verb+path is declared twice.
 */
export function buildRouteTable(sources: RouteSources): RouteDef[] {
  const { decls, all, central = [], controllers = new Map(), globalMiddleware = [], channels = new Map() } = sources;
  const specs: RouteSpec[] = [];
  for (const decl of decls) {
    if (!decl.source) {
      if (decl.routes.length === 0) continue; // a base class carrying only filters or middleware
      throw RoutingErrors.NO_CONTROLLER_DECORATOR(decl.target.name, decl.routes[0]!.source);
    }
    specs.push(...decoratorSpecs(decl));
  }
  specs.push(...central);

  const routes: RouteDef[] = [];
  const checkedFilters = new Set<Function>();
  const keys = new Map([...controllers].map(([key, cls]) => [cls, key]));
  for (const spec of specs) {
    if (spec.kind === 'ws') {
      routes.push(channelRoute(spec, channels));
      continue;
    }
    let target: Constructor;
    if (typeof spec.target === 'string') {
      const found = controllers.get(spec.target);
      if (!found) {
        const known = [...controllers.keys()];
        throw RoutingErrors.UNKNOWN_CONTROLLER(spec.method, spec.path, spec.source, spec.target, spec.target, known.length ? ` Known: ${known.join(', ')}.` : '');
      }
      target = found;
    } else {
      target = spec.target;
    }
    const proto = target.prototype;
    if (typeof proto[spec.action] !== 'function') {
      throw RoutingErrors.MISSING_ACTION(spec.method, spec.path, target.name, spec.action, spec.source);
    }
    if (reservedNames(target).has(spec.action)) throw RoutingErrors.RESERVED_ACTION(target.name, spec.action, spec.source, spec.action, spec.action);
    if (!checkedFilters.has(target)) {
      for (const c of classChain(target)) {
        for (const f of all.get(c)?.filters ?? []) {
          if (f.kind !== 'skip' && typeof proto[f.method] !== 'function') throw RoutingErrors.UNKNOWN_FILTER(f.method, target.name, f.source);
        }
      }
      checkedFilters.add(target);
    }
    routes.push({
      method: spec.method, path: spec.path, name: spec.name, controller: target, controllerKey: keys.get(target), action: spec.action, source: spec.source,
      kind: spec.kind, constraints: spec.constraints, formats: spec.formats, bodyLimit: spec.bodyLimit, stream: spec.stream, params: spec.params, body: spec.body,
      filters: resolveFilters(target, spec.action, all),
      middleware: resolveMiddleware(target, spec.action, all, globalMiddleware),
      auth: authModeOf(target, spec.action, all),
    });
  }

  const seen = new Map<string, RouteDef>();
  for (const r of routes) {
    const key = `${r.method} ${r.constraints?.host ?? '*'} ${r.path.replace(/:[A-Za-z0-9_]+/g, ':')}`;
    const prev = seen.get(key);
    if (prev) {
      throw RoutingErrors.DUPLICATE_ROUTE(r.method, r.path, `${prev.controller.name}#${prev.action}`, prev.source, `${r.controller.name}#${r.action}`, r.source);
    }
    seen.set(key, r);
  }
  return routes;
}
