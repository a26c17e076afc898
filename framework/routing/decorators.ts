import { registry, type HttpMethod } from '../registry';
import { callSite } from '../registry/source';

export interface RouteOptions {
  /** The route's name, from which its path helper is made (`as: 'about'` gives `aboutPath()`). */
  as?: string;
}

/**
 * Declares a controller and the path prefix of its routes.
 * @example
 * @Controller('/pages')
 * export class PagesController extends ApplicationController { @Get('/about') about() {...} }
 */
export function Controller(prefix = ''): ClassDecorator {
  return (target) => {
    const decl = registry.controller(target);
    decl.prefix = prefix === '/' ? '' : prefix.replace(/\/$/, '');
    decl.source = callSite();
  };
}

export interface ResourcesOptions {
  only?: string[];
  except?: string[];
}

/**
 * Declares a resourceful controller: the seven Rails routes (index, new, create, show, edit, update,
 * destroy) for whichever of those methods the class defines, under `/<name>`.
 * @example
 * @Resources('posts')
 * export class PostsController extends ApplicationController { async index() {...} async show() {...} }
 */
export function Resources(name: string, options: ResourcesOptions = {}): ClassDecorator {
  return (target) => {
    const decl = registry.controller(target);
    decl.prefix = `/${name.replace(/^\/|\/$/g, '')}`;
    decl.resources = { name: name.replace(/^\/|\/$/g, ''), only: options.only, except: options.except };
    decl.source = callSite();
  };
}

/** Declares a route to the decorated method. */
export function Route(method: HttpMethod, path = '/', options: RouteOptions = {}): MethodDecorator {
  return (target, property) => {
    registry.controller(target.constructor).routes.push({
      method: method.toUpperCase() as HttpMethod,
      path,
      action: String(property),
      name: options.as,
      source: callSite(),
    });
  };
}

export const Get = (path = '/', options?: RouteOptions) => Route('GET', path, options);
export const Post = (path = '/', options?: RouteOptions) => Route('POST', path, options);
export const Put = (path = '/', options?: RouteOptions) => Route('PUT', path, options);
export const Patch = (path = '/', options?: RouteOptions) => Route('PATCH', path, options);
export const Delete = (path = '/', options?: RouteOptions) => Route('DELETE', path, options);

export interface FilterOptions {
  only?: string[];
  except?: string[];
}

/**
 * Runs a controller method before the actions (all, or `only`/`except` some). A filter that renders
 * or redirects halts the request: the action does not run.
 * @example @Before('setPost', { only: ['show', 'edit', 'update', 'destroy'] })
 */
export function Before(method: string, options: FilterOptions = {}): ClassDecorator {
  return (target) => {
    registry.controller(target).filters.unshift({ kind: 'before', method, ...options, source: callSite() });
  };
}

/** Runs a controller method after the action (all, or `only`/`except` some). */
export function After(method: string, options: FilterOptions = {}): ClassDecorator {
  return (target) => {
    registry.controller(target).filters.unshift({ kind: 'after', method, ...options, source: callSite() });
  };
}
