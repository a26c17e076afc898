/**
 * Dependency injection's framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their
 * surfaces"): the app's checked container, built at boot and read by the jobs, the channels and the authenticator.
 */
export { AppContainer } from './container';
