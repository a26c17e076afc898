/** `stryke new`, `stryke generate` and `stryke destroy`: what the command line runs. */
export { migrationVersion } from './migrations';
export { destroy } from './destroy';
export { GENERATORS, generate } from './generate';
export { FIELD_MODIFIERS, FIELD_TYPES } from './fields';
export { newApp } from './new-app';
