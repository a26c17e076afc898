import type { ModelClass, RelationOf } from './model-types';
import type { Relation } from './relation';

/** Only the compiler sees it: how a scope's arguments are read back from its type (see ScopeMethods). */
declare const SCOPE_ARGS: unique symbol;

/**
 * A scope as seen from the model: `Post.published()`, `Post.popular(100)`. Called on a model class it gives
 * that model's relation, scopes included; its arguments are checked.
 */
export interface Scope<A extends unknown[] = []> {
  <M extends ModelClass>(this: M, ...args: A): RelationOf<M>;
  readonly [SCOPE_ARGS]: A;
}

/** Scope bodies by the function installed on the model, so relations can chain them too. */
export const scopeBodies = new WeakMap<Function, (q: Relation<any>, ...args: any[]) => Relation<any>>();

/**
 * A named, chainable query fragment, callable from the model and from any relation over it. The body's
 * query is a relation over any model (a scope is declared before its model's type is complete); what the
 * scope is called on is typed.
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
