import type { Command } from 'commander';
import { FIELD_MODIFIERS, FIELD_TYPES } from '../../generators';
import { GENERATORS, generate } from '../../generators';
import { appRoot } from '../app-root';
import { action, paintStatus, printJson, progress, type OutputOptions } from '../output';

/** Kept for the commands that import it from here. */
export { paintStatus };

function generatorList(): string {
  const width = Math.max(...Object.values(GENERATORS).map((g) => g.usage.length));
  return Object.values(GENERATORS).map((g) => `  ${g.usage.padEnd(width)}  ${g.summary}`).join('\n');
}

const HELP = () => `
Generators:
${generatorList()}

Field types: ${FIELD_TYPES.join(', ')} (belongs_to is references).
  string{200} sets a limit, 'decimal{10,2}' precision and scale (quote it: the shell expands braces).
Modifiers: ${FIELD_MODIFIERS.join(', ')} (title:string:unique, notes:text:optional).

Examples:
${Object.values(GENERATORS).map((g) => `  ${g.example}`).join('\n')}
  stryke g controller admin/dashboard index         a namespaced controller (app/controllers/admin/)
  stryke g scaffold Post title:string --dry-run      show what would be written
  stryke g model Tag name:string:unique --json       the outcome as JSON

Running a generator again reports identical files and leaves them; a file that differs is a conflict
(shown as a diff) and nothing is written unless --force or --skip. \`stryke destroy\` undoes a generator.
Templates: schematics/<generator>/.`;

interface GenerateCliOptions extends OutputOptions {
  force?: boolean;
  skip?: boolean;
  dryRun?: boolean;
  root?: string;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .alias('g')
    .description(`generate code: ${Object.keys(GENERATORS).join(', ')} (see \`stryke generate --help\`)`)
    .argument('[generator]', Object.keys(GENERATORS).join(' | '))
    .argument('[name]', 'what to generate: Post, BlogPost, AddPriceToProducts, Pages...')
    .argument('[args...]', 'fields (name:type[:modifier]) or, for a controller, actions')
    .option('-f, --force', 'overwrite files that differ from what the generator writes')
    .option('-s, --skip', 'keep files that differ, write the others')
    .option('--dry-run', 'show what would be written, write nothing')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the outcome (files and their status, notes) as JSON')
    .option('--root <dir>', 'the app directory (default: current)')
    .addHelpText('after', HELP)
    .action(action(async (generator: string | undefined, name: string | undefined, args: string[], opts: GenerateCliOptions) => {
      if (!generator) {
        console.log(`Usage: stryke generate <generator> <name> [args...] [--force | --skip] [--dry-run]\n${HELP()}`);
        return;
      }
      const res = generate(generator, name, args, {
        root: appRoot(opts.root), force: opts.force, skip: opts.skip, dryRun: opts.dryRun, log: progress(opts), paint: paintStatus,
      });
      printJson(opts, {
        generator, name, dryRun: !!opts.dryRun,
        files: res.files.map((f) => ({ path: f.path, status: f.status, ...(f.diff ? { diff: f.diff } : {}) })),
        notes: res.notes,
      });
    }));
}
