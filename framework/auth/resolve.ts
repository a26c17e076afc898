import type { AuthDecl, ControllerDecl, Constructor } from '../registry';

/**
 * The auth mode of one action, resolved once at boot: the action's own `@RequireAuth()` /
 * `@AllowAnonymous()` (on the class or the nearest base class declaring one for it) wins, then the
 * nearest class-level one. Undefined when none applies.
 */
export function authModeOf(target: Constructor, action: string, all: Map<Function, ControllerDecl>): 'require' | 'allow' | undefined {
  let classLevel: AuthDecl | undefined;
  for (let c: any = target; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const decls = all.get(c)?.auth;
    if (!decls) continue;
    for (let i = decls.length - 1; i >= 0; i--) {
      const d = decls[i]!;
      if (d.action === action) return d.mode;
      if (d.action === undefined && !classLevel) classLevel = d;
    }
  }
  return classLevel?.mode;
}
