/** Dependency injection (`stryke/di`): `@Service()` classes and `@Inject()`. The app's container is in ./internal.ts. */
export { Service, Inject } from './decorators';
export { DiErrors } from './errors';
