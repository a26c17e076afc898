import { registry } from '../registry';
import { callSite } from '../registry';

type ClassOrMethodDecorator = (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => void;

function authDecorator(mode: 'require' | 'allow'): ClassOrMethodDecorator {
  return (target, key) => {
    // On a class the target is the constructor; on a method it is the prototype.
    const ctor = (key === undefined ? target : (target as { constructor: Function }).constructor) as Function;
    const decl = registry.controller(ctor);
    (decl.auth ??= []).push({ mode, ...(key === undefined ? {} : { action: String(key) }), source: callSite() });
  };
}

/**
 * Only a signed-in user reaches these actions (every action of a controller, or one action): others are
 * sent to the sign-in page (HTML, remembering where they were going) or answered 401 (JSON). Inherited by
 * subclasses; an action's own `@AllowAnonymous()` overrides it. Needs the app's `@Authenticator()`.
 * @example @RequireAuth() export class PostsController extends ApplicationController {...}
 */
export function RequireAuth(): ClassOrMethodDecorator {
  return authDecorator('require');
}

/**
 * Anyone reaches these actions, signed in or not (`this.currentUser` is the user or null): undoes a
 * `@RequireAuth()` of the controller or of a base class.
 * @example @AllowAnonymous() async index() {...}
 */
export function AllowAnonymous(): ClassOrMethodDecorator {
  return authDecorator('allow');
}

export interface AuthenticatorOptions {
  /** Where an unauthenticated HTML request is sent (`/session/new`). */
  signInPath: string;
}

/**
 * Marks the app's class that finds the signed-in user of a request (`stryke generate auth` writes one):
 * its `resolve({ session, request })` answers the user or null. Constructed once at boot, with its
 * constructor's services injected.
 * @example
 * @Authenticator({ signInPath: '/session/new' })
 * export class Authentication implements UserResolver<User> { async resolve({ session }) {...} }
 */
export function Authenticator(options: AuthenticatorOptions): ClassDecorator {
  return (target) => {
    registry.authenticators.set(target, { target: target as any, signInPath: options.signInPath, source: callSite() });
  };
}
