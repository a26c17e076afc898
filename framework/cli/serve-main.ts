import 'reflect-metadata';
import { runCli } from './program';

/**
 * The entry of `dist/server.js`, the bundle `stryke build` writes for `stryke start`'s workers: the command line
 * with the serving commands only, so the bundle holds none of the others (generators, migrations, the compiler).
 */
runCli([() => (require('./commands/server') as typeof import('./commands/server')).registerServer]);
