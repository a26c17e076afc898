import type { Relation } from './relation';

export const SCOPE = Symbol.for('stryke.scope');

/**
 * A named, chainable query fragment, callable from the model and from any relation over it.
 * @example
 * static published = scope((q) => q.where({ published: true }));
 * // Post.published().recent().limit(20)
 */
export function scope<A extends unknown[]>(fn: (q: Relation<any>, ...args: A) => Relation<any>) {
  const onModel = function (this: { all(): Relation<any> }, ...args: A) {
    return fn(this.all(), ...args);
  };
  return Object.assign(onModel, { [SCOPE]: fn });
}
