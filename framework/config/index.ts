export { loadConfig, currentEnv, ENVIRONMENTS, type ConfigTree } from './load';
export { ConfigErrors } from './errors';
