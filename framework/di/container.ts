import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Constructor } from '../registry';
import { DiErrors } from './errors';

const PRIMITIVES = new Set<unknown>([Object, String, Number, Boolean, Array, Function, Symbol, Promise]);
const INJECTION_TOKENS = 'injectionTokens'; // tsyringe's metadata key for @inject() parameters

function describeParam(type: unknown, index: number, owner: Constructor): string {
  if (type === undefined) return `parameter #${index} of ${owner.name} has no runtime type (a circular import, or emitDecoratorMetadata is off)`;
  if (PRIMITIVES.has(type)) return `parameter #${index} of ${owner.name} is typed as an interface or primitive (${(type as Function).name})`;
  return `parameter #${index} of ${owner.name}`;
}

/**
 * The application's container: a tsyringe child container, checked as a whole at boot. Every
 * constructor's parameters are walked once; a missing or circular dependency fails with the whole
 * chain in the message (`PostsController -> FeedService -> Clock`).
 */
export class AppContainer {
  readonly inner: DependencyContainer;
  private readonly checked = new Set<Function>();

  constructor(services: Iterable<Constructor>) {
    this.inner = rootContainer.createChildContainer();
    for (const s of services) this.inner.registerSingleton(s);
  }

  /** Registers a ready value under a token (config, the data source...). */
  provide(token: string | symbol | Constructor, value: unknown): void {
    this.inner.registerInstance(token as any, value);
  }

  /**
   * The constructor arguments for `target`, resolved once. Throws a coded error naming the chain when
   * one cannot be built.
   */
  argumentsFor(target: Constructor): unknown[] {
    this.check(target, [target]);
    return this.paramTokens(target).map((t) => this.inner.resolve(t as any));
  }

  private paramTokens(target: Constructor): unknown[] {
    const types: unknown[] = Reflect.getMetadata('design:paramtypes', target) ?? [];
    const tokens: Record<number, unknown> = Reflect.getOwnMetadata(INJECTION_TOKENS, target) ?? {};
    const out = [...types];
    for (const [i, tok] of Object.entries(tokens)) out[Number(i)] = (tok as any)?.token ?? tok;
    // A class with constructor parameters but no metadata was not decorated: report it, don't guess.
    if (out.length === 0 && target.length > 0) {
      for (let i = 0; i < target.length; i++) out.push(undefined);
    }
    return out;
  }

  private check(target: Constructor, chain: Constructor[]): void {
    const names = (list: Constructor[]) => list.map((c) => c.name || '<anonymous>').join(' -> ');
    if (this.checked.has(target)) return;
    const params = this.paramTokens(target);
    params.forEach((type, i) => {
      if (typeof type === 'string' || typeof type === 'symbol') {
        if (!this.inner.isRegistered(type as any, true)) {
          throw DiErrors.MISSING_DEPENDENCY(names(chain), `parameter #${i} of ${target.name} asks for token ${String(type)}, which nothing registered`);
        }
        return;
      }
      if (typeof type !== 'function' || PRIMITIVES.has(type)) {
        throw DiErrors.MISSING_DEPENDENCY(names(chain), describeParam(type, i, target));
      }
      const dep = type as Constructor;
      const name = dep.name || '<anonymous>';
      if (chain.includes(dep)) throw DiErrors.CIRCULAR_DEPENDENCY(names([...chain, dep]));
      if (!this.inner.isRegistered(dep, true)) {
        if (dep.length > 0 && !Reflect.getMetadata('design:paramtypes', dep)) {
          throw DiErrors.MISSING_DEPENDENCY(names([...chain, dep]), `${name} takes constructor parameters but is not decorated with @Service()`);
        }
        this.inner.registerSingleton(dep);
      }
      this.check(dep, [...chain, dep]);
    });
    this.checked.add(target);
  }
}
