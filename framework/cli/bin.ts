import 'reflect-metadata';
import { Command } from 'commander';
import { nearest } from '../support/suggest';
import { CliErrors } from './errors';
import { addExamples, PROGRAM_EXAMPLES } from './help';
import { fail } from './output';

const pkg = require('../../../package.json') as { version: string };

// A reader that stops early (`stryke routes | head`) closes the pipe: that ends the command quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command('stryke')
  .description('stryke web: a Rails-grade MVC framework for TypeScript')
  .version(pkg.version, '-v, --version')
  .showHelpAfterError(false)
  .addHelpText('after', PROGRAM_EXAMPLES);

type Register = (program: Command) => void;
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
for (const register of SERVING.has(process.argv[2] ?? '') ? [registerServer] : COMMANDS) register()(program);

program.on('command:*', (operands: string[]) => {
  const names = program.commands.map((c) => c.name());
  const guess = nearest(operands[0]!, names);
  fail(CliErrors.UNKNOWN_COMMAND(operands[0], guess ? ` Did you mean "${guess}"?` : ''));
});

addExamples(program);

/**
 * Commander's own errors (an unknown option, a missing argument) end like stryke's: one line naming the
 * command's help, exit 1. Applied to every command: subcommands do not inherit these settings.
 */
const configure = (cmd: Command) => {
  cmd.configureOutput({ outputError: () => {} });
  cmd.exitOverride((err) => {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(0);
    const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim();
    const path: string[] = [];
    for (let c: Command | null = cmd; c; c = c.parent) path.unshift(c.name());
    fail(CliErrors.USAGE(message.endsWith('.') || message.endsWith(')') ? message : `${message}.`, path.join(' ')));
  });
  cmd.commands.forEach(configure);
};
configure(program);

program.parseAsync(process.argv).catch(fail);
