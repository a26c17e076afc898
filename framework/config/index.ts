export { loadConfig, currentEnv, defaultHost, ENVIRONMENTS, type ConfigTree } from './load';
export { ConfigErrors } from './errors';
