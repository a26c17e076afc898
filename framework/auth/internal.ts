/**
 * Authentication's framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their
 * surfaces"): the request pipeline's auth step, each action's mode for the route table, and the app's auth runtime
 * built at boot.
 */
export { authStep, RETURN_TO_KEY, type AuthRuntime } from './guard';
export { authModeOf } from './resolve';
export { buildAuthRuntime, type AuthSource } from './boot';
export { passwordTooLong } from './password';
