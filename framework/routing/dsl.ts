import type { Constructor, HttpMethod } from '../registry';
import { callSite } from '../registry';
import { singularize, underscore } from '../support';
import type { RouteOptions as DecoratorRouteOptions } from './decorators';
import { RoutingErrors } from './errors';
import {
  expandResources, joinName, parentParam, ROOT_SCOPE, type ResourceScope, type ResourcesOptions, type RouteKind, type RouteSpec,
} from './spec';

/** A route's destination: `'posts#index'`, or a controller class and an action. */
export type RouteTarget = string | [Constructor, string];

/** The options of a route in config/routes.ts: those of the route decorators, but a body DTO. */
export type RouteOptions = Omit<DecoratorRouteOptions, 'body'>;

interface Context {
  scope: ResourceScope;
  /** Inside `resources(...)`: the resource's plural and singular, for member and collection routes. */
  resource?: { plural: string; singular: string; collection: string; member: string };
}

/**
 * The central route DSL of `config/routes.ts`, in Rails' shape.
 * @example
 * export default routes((r) => {
 *   r.root('posts#index');
 *   r.resources('posts', {}, (r) => {
 *     r.resources('comments', { only: ['create', 'destroy'], shallow: true });
 *     r.member((m) => m.post('publish'));
 *   });
 *   r.namespace('api', { version: 'v1' }, (r) => r.resources('posts', { only: ['index', 'show'] }));
 *   r.get('/feed.:format', 'feeds#show', { format: ['json', 'atom', 'rss'] });
 * });
 */
export class RouteBuilder {
  constructor(private readonly ctx: Context, private readonly out: RouteSpec[]) {}

  /** `'posts#index'` (relative to the enclosing namespace unless `absolute`) or `[Class, 'action']`. */
  private target(to: RouteTarget, source: string, absolute: boolean): { target: Constructor | string; action: string } {
    if (Array.isArray(to)) return { target: to[0], action: to[1] };
    const m = /^([a-z0-9_/]+)#([A-Za-z0-9_]+)$/.exec(to);
    if (!m) throw RoutingErrors.BAD_TARGET(to, source);
    return { target: absolute ? m[1]! : `${this.ctx.scope.controller}${m[1]}`, action: m[2]! };
  }

  private add(kind: RouteKind, method: HttpMethod, path: string, to: RouteTarget, options: RouteOptions, defaultName?: string, base?: string, absolute = false): void {
    const source = callSite();
    const rel = path.startsWith('/') ? path : `/${path}`;
    const full = `${base ?? this.ctx.scope.nestedPath}${rel === '/' ? '' : rel}` || '/';
    const { target, action } = this.target(to, source, absolute);
    const host = options.host ?? this.ctx.scope.host;
    this.out.push({
      method, path: full, target, action, source, kind,
      name: options.as ? joinName(...this.ctx.scope.names, options.as) : defaultName,
      constraints: host ? { host } : undefined, formats: options.format, bodyLimit: options.bodyLimit, stream: options.stream, params: options.params,
    });
  }

  /** `GET /` -> the given action, named `root`. */
  root(to: RouteTarget): void {
    this.add('http', 'GET', '/', to, { as: 'root' });
  }

  get(path: string, to: RouteTarget, options: RouteOptions = {}) { this.add('http', 'GET', path, to, options); }
  post(path: string, to: RouteTarget, options: RouteOptions = {}) { this.add('http', 'POST', path, to, options); }
  put(path: string, to: RouteTarget, options: RouteOptions = {}) { this.add('http', 'PUT', path, to, options); }
  patch(path: string, to: RouteTarget, options: RouteOptions = {}) { this.add('http', 'PATCH', path, to, options); }
  delete(path: string, to: RouteTarget, options: RouteOptions = {}) { this.add('http', 'DELETE', path, to, options); }

  /**
   * A WebSocket endpoint served by a channel: `'chat'` is `app/channels/chat_channel.ts` (relative to the
   * enclosing namespace), or pass the class.
   * @example r.ws('/chat/:roomId', 'chat');
   */
  ws(path: string, to: string | Constructor, options: Pick<RouteOptions, 'as' | 'host'> = {}): void {
    const source = callSite();
    const rel = path.startsWith('/') ? path : `/${path}`;
    const full = `${this.ctx.scope.nestedPath}${rel === '/' ? '' : rel}` || '/';
    const host = options.host ?? this.ctx.scope.host;
    const target = typeof to === 'string' && !to.includes('#') ? `${this.ctx.scope.controller}${to}` : to;
    this.out.push({
      method: 'GET', path: full, target, action: '', source, kind: 'ws',
      name: options.as ? joinName(...this.ctx.scope.names, options.as) : undefined, constraints: host ? { host } : undefined,
    });
  }

  /** A server-sent events endpoint (the action calls `this.sse(...)`). */
  sse(path: string, to: RouteTarget, options: RouteOptions = {}) { this.add('sse', 'GET', path, to, options); }

  /**
   * The seven Rails routes of a resource; a block declares nested resources and member/collection routes.
   */
  resources(name: string, options: ResourcesOptions & { controller?: string } = {}, nested?: (r: RouteBuilder) => void): void {
    const source = callSite();
    const plural = name;
    const singular = singularize(plural);
    const key = `${this.ctx.scope.controller}${options.controller ?? plural}`;
    this.out.push(...expandResources(plural, options, this.ctx.scope, key, source));
    if (!nested) return;
    const scope = this.ctx.scope;
    const segment = `/${options.path ?? plural}`;
    const inner: Context = {
      scope: {
        ...scope,
        nestedPath: `${scope.nestedPath}${segment}/:${parentParam(plural)}`,
        nestedNames: [...scope.nestedNames, singular],
      },
      resource: { plural, singular, collection: `${scope.nestedPath}${segment}`, member: `${scope.nestedPath}${segment}/:id` },
    };
    // Member and collection routes of this resource resolve to its controller.
    const builder = new RouteBuilder(inner, this.out);
    (builder as any).resourceController = key;
    nested(builder);
  }

  private resourceOf(kind: string): NonNullable<Context['resource']> {
    if (!this.ctx.resource) throw RoutingErrors.OUTSIDE_RESOURCES(kind, callSite());
    return this.ctx.resource;
  }

  /** Routes on one record: `r.member((m) => m.post('publish'))` -> `POST /posts/:id/publish`, `publish_post`. */
  member(draw: (m: MemberBuilder) => void): void {
    const res = this.resourceOf('member');
    draw(new MemberBuilder(this, res.member, [...this.ctx.scope.names, ...this.ctx.scope.nestedNames.slice(0, -1)], res.singular));
  }

  /** Routes on the collection: `r.collection((c) => c.get('drafts'))` -> `GET /posts/drafts`, `drafts_posts`. */
  collection(draw: (c: MemberBuilder) => void): void {
    const res = this.resourceOf('collection');
    draw(new MemberBuilder(this, res.collection, [...this.ctx.scope.names, ...this.ctx.scope.nestedNames.slice(0, -1)], res.plural));
  }

  /** @internal used by member and collection builders */
  addOnResource(method: HttpMethod, base: string, action: string, name: string, options: RouteOptions): void {
    const key = (this as any).resourceController as string;
    this.add('http', method, `/${action}`, `${key}#${action}`, options, options.as ? undefined : name, base, true);
  }

  /**
   * A module of controllers under a path and name prefix: `namespace('api', { version: 'v1' })` routes
   * `/api/v1/users` to `app/controllers/api/v1/users_controller.ts`, named `api_v1_users`.
   */
  namespace(name: string, options: { version?: string; host?: string } | ((r: RouteBuilder) => void), draw?: (r: RouteBuilder) => void): void {
    const opts = typeof options === 'function' ? {} : options;
    const fn = typeof options === 'function' ? options : draw!;
    const parts = [name, opts.version].filter(Boolean) as string[];
    const scope = this.ctx.scope;
    const path = `${scope.nestedPath}/${parts.join('/')}`;
    fn(new RouteBuilder({
      scope: {
        path, nestedPath: path, names: [...scope.names, ...parts.map(underscore)], nestedNames: [],
        controller: `${scope.controller}${parts.join('/')}/`, host: opts.host ?? scope.host,
      },
    }, this.out));
  }

  /** A path prefix (and optionally a host) without a controller module: `scope('/blog', (r) => ...)`. */
  scope(options: string | { path?: string; as?: string; host?: string }, draw: (r: RouteBuilder) => void): void {
    const opts = typeof options === 'string' ? { path: options } : options;
    const scope = this.ctx.scope;
    const path = `${scope.nestedPath}${opts.path ? (opts.path.startsWith('/') ? opts.path : `/${opts.path}`) : ''}`;
    draw(new RouteBuilder({
      scope: { ...scope, path, nestedPath: path, names: opts.as ? [...scope.names, opts.as] : scope.names, host: opts.host ?? scope.host },
    }, this.out));
  }
}

/** Declares member or collection routes of a resource (`m.post('publish')`). */
export class MemberBuilder {
  constructor(private readonly parent: RouteBuilder, private readonly base: string, private readonly prefix: string[], private readonly noun: string) {}

  private route(method: HttpMethod, action: string, options: RouteOptions = {}) {
    this.parent.addOnResource(method, this.base, action, joinName(underscore(action), ...this.prefix, this.noun), options);
  }

  get(action: string, options?: RouteOptions) { this.route('GET', action, options); }
  post(action: string, options?: RouteOptions) { this.route('POST', action, options); }
  put(action: string, options?: RouteOptions) { this.route('PUT', action, options); }
  patch(action: string, options?: RouteOptions) { this.route('PATCH', action, options); }
  delete(action: string, options?: RouteOptions) { this.route('DELETE', action, options); }
}

export interface RouteSet {
  readonly __strykeRoutes: true;
  specs(): RouteSpec[];
}

/** Declares the app's central routes (the default export of config/routes.ts). */
export function routes(draw: (r: RouteBuilder) => void): RouteSet {
  return {
    __strykeRoutes: true,
    specs() {
      const out: RouteSpec[] = [];
      draw(new RouteBuilder({ scope: ROOT_SCOPE }, out));
      return out;
    },
  };
}
