import { registry } from '../registry';
import { RoutingErrors } from '../routing/errors';
import type { RouteSet } from '../routing/dsl';
import { buildRouteTable, type RouteDef } from '../routing/table';
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
  const routes = buildRouteTable({
    decls: registry.within(registry.controllers, build),
    all: registry.controllers,
    central: central?.specs(),
    controllers: loaded.controllers,
    globalMiddleware: Array.isArray(middleware) ? middleware : [],
  });
  return { loaded, routes };
}
