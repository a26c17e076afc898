import type { Command } from 'commander';
import { lazyModule } from '../../support';
import type * as LintModule from '../../views/internal';
import { appRoot } from '../app-root';
import { action, paint } from '../output';

// Loaded on first use: `stryke --help` and the commands that do not need them load none of these (support/lazy.ts).
const { lintViews } = lazyModule(() => require('../../views/internal') as typeof LintModule);

/**
 * `stryke lint`: lists every raw (unescaped) output in the app's views, `{{{ }}}` and `{{& }}`, with
 * file, line and column. Exits 1 while any is not allowed by a `{{! stryke-lint allow-raw: why }}`
 * comment on its line or the line above, so CI catches a new one.
 */
export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('list every {{{ }}} (unescaped output) in app/views with file and line; exit 1 unless each is allowed by a comment')
    .option('--root <dir>', 'the app directory (default: current)')
    .option('--json', 'print JSON')
    .action(action(async (opts: { root?: string; json?: boolean }) => {
      const root = appRoot(opts.root);
      const result = lintViews(root);
      const offending = result.raw.filter((r) => !r.allowed);
      if (opts.json) {
        console.log(JSON.stringify(result, null, 2));
      } else {
        for (const r of result.raw) {
          const where = `${r.file}:${r.line}:${r.column}`;
          console.log(r.allowed ? `${paint.dim(where)}  ${r.source}  ${paint.dim(`allowed: ${r.allowed}`)}` : `${where}  ${r.source}  ${paint.red('raw output, not escaped')}`);
        }
        for (const e of result.errors) console.log(paint.red(e));
        const allowed = result.raw.length - offending.length;
        console.log(
          `${result.files} template${result.files === 1 ? '' : 's'}: ${result.raw.length} raw output${result.raw.length === 1 ? '' : 's'}` +
            ` (${allowed} allowed)${result.errors.length ? `, ${result.errors.length} that do not parse` : ''}.`,
        );
        if (offending.length) {
          console.log('Each {{{ }}} skips HTML escaping. Use {{ }}, or allow one with {{! stryke-lint allow-raw: <why it is safe> }} on its line or the line above.');
        }
      }
      if (offending.length || result.errors.length) process.exitCode = 1;
    }));
}
