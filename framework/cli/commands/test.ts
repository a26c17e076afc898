import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import { walkFiles } from '../../support';
import { appRoot, compileApp } from '../app-root';
import { action } from '../output';
import { Progress } from '../progress';

export function registerTest(program: Command): void {
  program
    .command('test')
    .description("compile the app and run its tests (test/**/*.test.ts) with Node's test runner, in the test environment")
    .option('--root <dir>', 'the app directory (default: current)')
    .action(action(async (opts: { root?: string }) => {
      const root = appRoot(opts.root);
      await compileApp(root, { progress: Progress.for() });
      const files = walkFiles(join(root, 'build', 'test'), (n) => n.endsWith('.test.js'));
      if (!files.length) {
        console.log('No tests under test/.');
        return;
      }
      // NODE_TEST_CONTEXT would make the child think it runs inside another test run and skip every file.
      const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;
      const res = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], {
        cwd: root, stdio: 'inherit', env: { ...env, STRYKE_ENV: 'test' },
      });
      process.exitCode = res.status ?? 1;
    }));
}
