import type { Relation } from './relation';

/** A scope as seen from the model: `Post.published()`. */
export type Scope<A extends unknown[] = []> = (...args: A) => Relation<any>;

/** Scope bodies by the function installed on the model, so relations can chain them too. */
export const scopeBodies = new WeakMap<Function, (q: Relation<any>, ...args: any[]) => Relation<any>>();

/**
 * A named, chainable query fragment, callable from the model and from any relation over it.
 * @example
 * static published = scope((q) => q.where({ published: true }));
 * // Post.published().recent().limit(20)
 */
export function scope<A extends unknown[] = []>(fn: (q: Relation<any>, ...args: A) => Relation<any>): Scope<A> {
  const onModel = function (this: { all(): Relation<any> }, ...args: A) {
    return fn(this.all(), ...args);
  };
  scopeBodies.set(onModel, fn as any);
  return onModel as unknown as Scope<A>;
}
