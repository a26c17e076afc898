// The stryke command line (bin/stryke.js): every command, or only the serving ones when one of them runs.
import cluster from 'node:cluster';
import { holdOptimizingCompiler } from './primary-tiering';

const startPrimary = process.argv[2] === 'start' && cluster.isPrimary;
// Before any other module loads: `stryke start`'s primary boots without V8's optimizing compiler (primary-tiering.ts).
if (startPrimary) holdOptimizingCompiler();
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { runCli } = require('./program') as typeof import('./program');
type Register = import('./program').Register;

// Decorator metadata, for every process that may load app code: not `stryke start`'s primary, which supervises only.
if (!startPrimary) require('reflect-metadata');

const registerServer = (): Register => (require('./commands/server') as typeof import('./commands/server')).registerServer;
/** Every command, in `stryke --help`'s order; each module is required only when its commands are registered. */
const COMMANDS: Array<() => Register> = [
  () => (require('./commands/new') as typeof import('./commands/new')).registerNew,
  () => (require('./commands/generate') as typeof import('./commands/generate')).registerGenerate,
  () => (require('./commands/destroy') as typeof import('./commands/destroy')).registerDestroy,
  () => (require('./commands/console') as typeof import('./commands/console')).registerConsole,
  () => (require('./commands/db') as typeof import('./commands/db')).registerDb,
  registerServer,
  () => (require('./commands/routes') as typeof import('./commands/routes')).registerRoutes,
  () => (require('./commands/test') as typeof import('./commands/test')).registerTest,
  () => (require('./commands/jobs') as typeof import('./commands/jobs')).registerJobs,
  () => (require('./commands/lint') as typeof import('./commands/lint')).registerLint,
  () => (require('./commands/credentials') as typeof import('./commands/credentials')).registerCredentials,
  () => (require('./commands/prof') as typeof import('./commands/prof')).registerProf,
  () => (require('./commands/certificate') as typeof import('./commands/certificate')).registerCertificate,
];

/**
 * The serving commands (and a `stryke start` primary and its workers, which run this file again) register
 * only themselves: the other commands' modules (generators, the migration commands...) stay unloaded, which is
 * most of what a primary would hold.
 */
const SERVING = new Set(['start', 'server', 'dev', 'build']);
runCli(SERVING.has(process.argv[2] ?? '') ? [registerServer] : COMMANDS);
