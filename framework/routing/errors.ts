import { defineError } from '../support';

export const RoutingErrors = {
  DUPLICATE_ROUTE: defineError('STRYKE_E_ROUTING_DUPLICATE_ROUTE', 'Route %s %s is declared twice: %s (%s) and %s (%s). Remove one, or give them different paths.'),
  MISSING_ACTION: defineError('STRYKE_E_ROUTING_MISSING_ACTION', 'Route %s %s points at %s#%s, which is not a method of the controller (%s). Add the method or fix the route.'),
  NO_CONTROLLER_DECORATOR: defineError('STRYKE_E_ROUTING_NO_CONTROLLER_DECORATOR', '%s declares routes but has neither @Controller(prefix) nor @Resources(name) (%s). Add one to the class.'),
  BAD_PATH: defineError('STRYKE_E_ROUTING_BAD_PATH', 'Route path %s (%s) must start with "/". Write it as "/%s".'),
  MISSING_PARAM: defineError('STRYKE_E_ROUTING_MISSING_PARAM', '%s needs a value for :%s (route %s). Pass it, or a record with an id.'),
  RESERVED_ACTION: defineError('STRYKE_E_ROUTING_RESERVED_ACTION', 'Action %s#%s (%s) has the name of a controller helper, which it would hide. Rename the method and keep the path: @Get(\'/%s\') %sAction() { ... }.'),
  BAD_TARGET: defineError('STRYKE_E_ROUTING_BAD_TARGET', 'Route target "%s" (%s) is not "controller#action": write it like \'posts#index\' or \'admin/users#show\'.'),
  OUTSIDE_RESOURCES: defineError('STRYKE_E_ROUTING_OUTSIDE_RESOURCES', '%s routes (%s) must be declared inside a resources(...) block.'),
  UNKNOWN_CONTROLLER: defineError('STRYKE_E_ROUTING_UNKNOWN_CONTROLLER', 'Route %s %s (%s) points at controller "%s", but there is no app/controllers/%s_controller.ts exporting a controller class.%s'),
  BAD_ROUTES_FILE: defineError('STRYKE_E_ROUTING_BAD_ROUTES_FILE', 'config/routes.ts must `export default routes((r) => { ... })` (import { routes } from \'stryke\').'),
  UNKNOWN_FILTER: defineError('STRYKE_E_ROUTING_UNKNOWN_FILTER', 'Filter %s on %s names no method of the controller (%s). Define the method or fix the name.'),
};
