import { PassThrough, type Readable } from 'node:stream';
import { createInterface } from 'node:readline';
// node:repl is required only when the console starts: loading it loads node's `domain` module, which makes
// every EventEmitter built afterwards (two per HTTP request: the request and the response) define a `domain`
// property with Object.defineProperty, about 6.5k instructions a request in a `stryke start` worker.
import type * as Repl from 'node:repl';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { lazyModule } from '../../support';
import type * as CreateApp from '../../app';
import { buildDirOf } from '../../app';
import { currentEnv } from '../../config';
import { registry } from '../../registry';
import { camelize } from '../../support';
import { appRoot, compileApp } from '../app-root';
import { runRoot } from './db-support';
import { action, paint } from '../output';
import { outputMode, Progress } from '../progress';
// Loaded on first use, so `stryke --help` and the commands that boot nothing do not load the framework.
const { createApp } = lazyModule(() => require('../../app') as typeof CreateApp);

const HELP = `
In scope: app (the booted app: app.db, app.config, app.container), every model by its class name, every path
helper (postsPath(), postPath(post)) and paths holding them all, and routes (the route table). Top-level await
works: \`await Post.count()\`, \`const post = await Post.find(1)\`. Leave with .exit or Ctrl-D.

Lines piped in run one at a time, each after the last has finished (\`stryke console < script.txt\`).

Examples:
  stryke console
  stryke c -e test
  echo "await Post.count()" | stryke console`;

/**
 * A stream feeding `source` to the REPL one line at a time: a line is released when the REPL shows its
 * prompt, so a piped script awaits each statement before the next (a raw pipe would run them all at once).
 */
function lineByLine(source: Readable): { input: PassThrough; next: () => void } {
  const input = new PassThrough();
  const queue: string[] = [];
  let ended = false;
  let waiting = false;
  const next = () => {
    if (queue.length) {
      waiting = false;
      input.write(`${queue.shift()}\n`);
    } else if (ended) {
      input.end();
    } else {
      waiting = true;
    }
  };
  const rl = createInterface({ input: source, crlfDelay: Infinity });
  rl.on('line', (line) => {
    queue.push(line);
    if (waiting) next();
  });
  rl.on('close', () => {
    ended = true;
    if (waiting) next();
  });
  return { input, next };
}

export function registerConsole(program: Command): void {
  program
    .command('console')
    .alias('c')
    .description('a REPL with the app booted: its models, jobs, path helpers and routes in scope, top-level await')
    .option('--root <dir>', 'the app directory (default: current)')
    .option('-e, --env <env>', 'environment (default: STRYKE_ENV or development)')
    .addHelpText('after', HELP)
    .action(action(async (opts: { root?: string; env?: string }) => {
      const root = appRoot(opts.root);
      const env = opts.env ?? currentEnv();
      await compileApp(root, { quiet: true, progress: new Progress(outputMode({}, process.stderr), process.stderr) });
      // In production an app with a complete build runs from dist/, as `stryke start` does: the same database.
      const runAt = runRoot(root, env);
      const app = await createApp({ root: runAt, env, logger: false, jobWorkers: 'none' });

      const models = registry.within(registry.models, buildDirOf(runAt)).map((d) => d.target as Function);
      const routes = app.routes.map((r) => ({ name: r.name ? `${camelize(r.name)}Path` : undefined, method: r.method, path: r.path, action: `${r.controller.name}#${r.action}` }));
      const scope: Record<string, unknown> = { app, paths: app.paths, routes };
      for (const [name, helper] of Object.entries(app.paths)) scope[name] = helper;
      for (const m of models) scope[m.name] = m;
      // The app's @Job classes too, as its models: `await SendWelcome.performLater(1)` from the prompt.
      const jobs = registry.within(registry.jobs, buildDirOf(runAt)).map((d) => d.target as Function);
      for (const j of jobs) if (!(j.name in scope)) scope[j.name] = j;

      const tty = process.stdin.isTTY === true;
      const feed = tty ? undefined : lineByLine(process.stdin);
      const helpers = Object.keys(app.paths);
      console.log(paint.dim(`Loading ${env} environment (stryke ${require('../../../../package.json').version}). Models: ${models.map((m) => m.name).join(', ') || 'none'}; jobs: ${jobs.map((j) => j.name).join(', ') || 'none'}; path helpers: ${helpers.length ? `${helpers.slice(0, 4).join(', ')}${helpers.length > 4 ? ', ...' : ''}` : 'none'}; app, paths, routes.`));

      const repl = require('node:repl') as typeof Repl;
      const server = repl.start({
        prompt: `${env}> `,
        input: feed?.input ?? process.stdin,
        output: process.stdout,
        terminal: tty && process.stdout.isTTY === true,
        useColors: tty && process.stdout.isTTY === true && !process.env.NO_COLOR,
        breakEvalOnSigint: true,
      });
      Object.assign(server.context, scope);
      if (tty) {
        mkdirSync(join(root, 'tmp'), { recursive: true });
        server.setupHistory(join(root, 'tmp', 'console_history'), () => {});
      }
      if (feed) {
        const show = server.displayPrompt.bind(server);
        server.displayPrompt = (preserveCursor?: boolean) => {
          show(preserveCursor);
          setImmediate(feed.next);
        };
        feed.next();
      }
      await new Promise<void>((done) => server.on('exit', () => done()));
      await app.close();
      process.exit(0);
    }));
}
