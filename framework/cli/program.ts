/** The stryke command line: commander, with stryke's error handling and help, over the commands it is given. */
import { Command } from 'commander';
import { nearest } from '../support';
import { CliErrors } from './errors';
import { addExamples, PROGRAM_EXAMPLES } from './help';
import { fail } from './output';

// A reader that stops early (`stryke routes | head`) closes the pipe: that ends the command quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

export type Register = (program: Command) => void;

/** Builds the command line with these commands and runs the one given. */
export function runCli(commands: Array<() => Register>): void {
  const program = new Command('stryke')
    .description('stryke web: a Rails-grade MVC framework for TypeScript')
    .version((require('../../../package.json') as { version: string }).version, '-v, --version')
    .showHelpAfterError(false)
    .addHelpText('after', PROGRAM_EXAMPLES);

  for (const register of commands) register()(program);

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
}
