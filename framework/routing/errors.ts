import { defineError } from '../support/errors';

export const RoutingErrors = {
  DUPLICATE_ROUTE: defineError('STRYKE_E_ROUTING_DUPLICATE_ROUTE', 'Route %s %s is declared twice: %s (%s) and %s (%s). Remove one, or give them different paths.'),
  MISSING_ACTION: defineError('STRYKE_E_ROUTING_MISSING_ACTION', 'Route %s %s points at %s#%s, which is not a method of the controller (%s). Add the method or fix the route.'),
  NO_CONTROLLER_DECORATOR: defineError('STRYKE_E_ROUTING_NO_CONTROLLER_DECORATOR', '%s declares routes but has neither @Controller(prefix) nor @Resources(name) (%s). Add one to the class.'),
  BAD_PATH: defineError('STRYKE_E_ROUTING_BAD_PATH', 'Route path %s (%s) must start with "/". Write it as "/%s".'),
  MISSING_PARAM: defineError('STRYKE_E_ROUTING_MISSING_PARAM', '%s needs a value for :%s (route %s). Pass it, or a record with an id.'),
  RESERVED_ACTION: defineError('STRYKE_E_ROUTING_RESERVED_ACTION', 'Action %s#%s (%s) has the name of a controller helper, which it would hide. Rename the method and keep the path: @Get(\'/%s\') %sAction() { ... }.'),
  UNKNOWN_FILTER: defineError('STRYKE_E_ROUTING_UNKNOWN_FILTER', 'Filter %s on %s names no method of the controller (%s). Define the method or fix the name.'),
};
