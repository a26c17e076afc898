import type { Command } from 'commander';

export function registerNew(program: Command): void {
  program.command('new <dir>').description('create a new app (being built)').action(() => {
    throw new Error('not yet');
  });
}
