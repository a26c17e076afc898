import { registry } from '../registry';
import { RoutingErrors } from '../routing';
import type { RouteSet } from '../routing';
import type { RouteSpec } from '../routing';
import type { RouteDef } from '../routing';
import { buildRouteTable } from '../routing/internal';
import { loadAppCode, loadConfigModule, type LoadedApp } from './loader';

export interface AppRoutes {
  loaded: LoadedApp;
  routes: RouteDef[];
}

/**
 * Loads an app's compiled code and builds its route table: decorated controllers, plus
 * `config/routes.ts` (central routes) and `config/middleware.ts` (the global pipeline) when present.
 * No server and no database: `stryke routes` uses it as is.
 */
export function appRoutes(root: string, build: string): AppRoutes {
  const loaded = loadAppCode(root, build);
  const central = loadConfigModule(root, build, 'routes') as RouteSet | undefined;
  if (central !== undefined && !(central as RouteSet).__strykeRoutes) throw RoutingErrors.BAD_ROUTES_FILE();
  const middleware = loadConfigModule(root, build, 'middleware');
  // `@Channel('/path')`: channels that route themselves.
  const channelSpecs: RouteSpec[] = registry.within(registry.channels, build).filter((d) => d.path !== undefined).map((d) => ({
    method: 'GET', path: d.path!, target: d.target, action: '', source: d.source, kind: 'ws', name: d.name,
  }));
  const routes = buildRouteTable({
    decls: registry.within(registry.controllers, build),
    all: registry.controllers,
    central: [...(central?.specs() ?? []), ...channelSpecs],
    channels: loaded.channels,
    controllers: loaded.controllers,
    globalMiddleware: Array.isArray(middleware) ? middleware : [],
  });
  return { loaded, routes };
}
