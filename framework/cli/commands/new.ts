import type { Command } from 'commander';
import { newApp } from '../../generators/new-app';
import { action } from '../output';
import { paintStatus } from './generate';

export function registerNew(program: Command): void {
  program
    .command('new <dir>')
    .description('create a new app in <dir> (which must not exist, or be empty), linked to this stryke')
    .option('-d, --database <adapter>', 'sqlite, postgres or mysql', 'sqlite')
    .option('--skip-install', 'do not link node_modules/stryke to this framework checkout (run `npm install` later)')
    .action(action(async (dir: string, opts: { database: string; skipInstall?: boolean }) => {
      newApp(dir, { database: opts.database, skipInstall: opts.skipInstall, paint: paintStatus });
    }));
}
