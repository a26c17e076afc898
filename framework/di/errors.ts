import { defineError } from '../support';

export const DiErrors = {
  MISSING_DEPENDENCY: defineError('STRYKE_E_DI_MISSING_DEPENDENCY', 'Cannot resolve %s: %s. Potential solutions: give the dependency a class type (not an interface or primitive), decorate it with @Service(), or inject a token registered in the container with @Inject(token).'),
  CIRCULAR_DEPENDENCY: defineError('STRYKE_E_DI_CIRCULAR_DEPENDENCY', 'Circular dependency: %s. Break the cycle: move the shared part into a third service, or resolve one side lazily with container.resolve() inside a method.'),
};
