import 'reflect-metadata';
import { Command } from 'commander';
import { nearest } from '../support/suggest';
import { registerDb } from './commands/db';
import { registerGenerate } from './commands/generate';
import { registerJobs } from './commands/jobs';
import { registerNew } from './commands/new';
import { registerRoutes } from './commands/routes';
import { registerServer } from './commands/server';
import { registerTest } from './commands/test';
import { CliErrors } from './errors';
import { fail } from './output';

const pkg = require('../../../package.json') as { version: string };

const program = new Command('stryke')
  .description('stryke web: a Rails-grade MVC framework for TypeScript')
  .version(pkg.version, '-v, --version')
  .showHelpAfterError(false);

registerNew(program);
registerGenerate(program);
registerDb(program);
registerServer(program);
registerRoutes(program);
registerTest(program);
registerJobs(program);

program.on('command:*', (operands: string[]) => {
  const names = program.commands.map((c) => c.name());
  const guess = nearest(operands[0]!, names);
  fail(CliErrors.UNKNOWN_COMMAND(operands[0], guess ? ` Did you mean "${guess}"?` : ''));
});

program.exitOverride((err) => {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(0);
  process.stderr.write('Run `stryke --help` for usage.\n');
  process.exit(1);
});

program.parseAsync(process.argv).catch(fail);
