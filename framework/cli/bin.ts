import 'reflect-metadata';
import { Command } from 'commander';
import { nearest } from '../support';
import { registerConsole } from './commands/console';
import { registerDb } from './commands/db';
import { registerDestroy } from './commands/destroy';
import { registerGenerate } from './commands/generate';
import { registerJobs } from './commands/jobs';
import { registerLint } from './commands/lint';
import { registerNew } from './commands/new';
import { registerProf } from './commands/prof';
import { registerRoutes } from './commands/routes';
import { registerServer } from './commands/server';
import { registerTest } from './commands/test';
import { registerCredentials } from './commands/credentials';
import { registerCertificate } from './commands/certificate';
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

registerNew(program);
registerGenerate(program);
registerDestroy(program);
registerConsole(program);
registerDb(program);
registerServer(program);
registerRoutes(program);
registerTest(program);
registerJobs(program);
registerLint(program);
registerCredentials(program);
registerProf(program);
registerCertificate(program);

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
