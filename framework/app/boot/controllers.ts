import type { AppContainer } from '../../di/internal';
import type { ActionController } from '../../http';
import type { Constructor } from '../../registry';
import type { RouteDef } from '../../routing';

/** Boot step: one factory per controller of the route table, with its constructor's dependencies resolved once. */
export function controllerFactories(routes: RouteDef[], container: AppContainer): Map<Function, () => ActionController> {
  const factories = new Map<Function, () => ActionController>();
  for (const Ctor of new Set(routes.filter((r) => r.kind !== 'ws').map((r) => r.controller as Constructor<ActionController>))) {
    const args = container.argumentsFor(Ctor);
    factories.set(Ctor, args.length ? () => new Ctor(...args) : () => new Ctor());
  }
  return factories;
}
