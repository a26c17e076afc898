import type { Command } from 'commander';
import { destroy } from '../../generators';
import { GENERATORS } from '../../generators';
import { appRoot } from '../app-root';
import { action, paintStatus, printJson, progress, type OutputOptions } from '../output';

const HELP = `
Removes the files \`stryke generate <generator> <Name>\` writes: the model, its migration (under the version it
has), controller, views and tests, then the folders left empty. Files shared with other code
(application_model.ts, application_controller.ts) are kept. For a controller, the views of the actions given,
or, with none, of the actions its file declares.

Roll a migration back (\`stryke db rollback\`) before you destroy it: removing the file leaves its table.

Examples:
  stryke destroy scaffold Post
  stryke d model Comment
  stryke destroy controller Pages --dry-run     list what would be removed
  stryke destroy migration AddPriceToProducts --json`;

interface DestroyCliOptions extends OutputOptions {
  dryRun?: boolean;
  root?: string;
}

export function registerDestroy(program: Command): void {
  program
    .command('destroy')
    .alias('d')
    .description('remove what a generator made: stryke destroy <generator> <Name>')
    .argument('<generator>', Object.keys(GENERATORS).join(' | '))
    .argument('[name]', 'the name given to `stryke generate` (none for auth)')
    .argument('[args...]', 'for a controller: the actions whose views to remove (default: those in its file)')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the outcome (files and their status, notes) as JSON')
    .option('--root <dir>', 'the app directory (default: current)')
    .addHelpText('after', HELP)
    .action(action(async (generator: string, name: string | undefined, args: string[], opts: DestroyCliOptions) => {
      const res = destroy(generator, name, args, { root: appRoot(opts.root), dryRun: opts.dryRun, log: progress(opts), paint: paintStatus });
      printJson(opts, { generator, name, dryRun: !!opts.dryRun, files: res.files, notes: res.notes });
    }));
}
