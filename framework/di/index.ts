export { Service, Inject } from './decorators';
export { AppContainer } from './container';
export { DiErrors } from './errors';
