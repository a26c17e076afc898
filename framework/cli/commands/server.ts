import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { lazyModule } from '../../support';
import { currentEnv, defaultHost, loadConfig } from '../../config';
import type * as ServerModule from '../../server';
import { isDist, SERVER_BUNDLE, type DistStage } from '../../server';
import { appRoot, compileApp } from '../app-root';
import { checkDatabaseFile, checkPackages, inSingleExecutable, refusePendingMigrations, resolvesStryke } from './start-checks';
import { releaseOptimizingCompilerOnReady } from '../primary-tiering';
import { CliErrors } from '../errors';
import { action } from '../output';
import { Progress, type ModeOptions } from '../progress';

// Loaded on first use: `stryke --help` and the commands that do not need them load none of these (support/lazy.ts).
const { serve, buildDist, bundleBuild, runDev, watchedFolders, defaultWorkerCount, runPrimary } = lazyModule(() => require('../../server') as typeof ServerModule);

interface ServerOptions {
  root?: string;
  port?: string;
  host?: string;
  workers?: string;
  env?: string;
}

function port(opts: ServerOptions): number | undefined {
  if (opts.port === undefined) return undefined;
  const p = Number(opts.port);
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw CliErrors.BAD_OPTION(`--port must be a number from 0 to 65535, not "${opts.port}"`);
  return p;
}

export function registerServer(program: Command): void {
  program
    .command('start')
    .description('serve the app: one worker per core under a supervising primary (SIGTERM drains, SIGHUP reloads)')
    .option('--root <dir>', 'the app directory (default: current)')
    .option('-p, --port <port>', 'port (default: PORT, config/server.toml, 3000)')
    .option('--host <host>', 'interface to bind (default: config/server.toml; 127.0.0.1 in development and test, else 0.0.0.0)')
    .option('-w, --workers <n>', 'worker processes (default: one per core)')
    .option('-e, --env <env>', 'environment (default: STRYKE_ENV or development)')
    .action(action(async (opts: ServerOptions) => {
      if (opts.env) process.env.STRYKE_ENV = opts.env;
      const given = appRoot(opts.root);
      // In production a built app runs from dist/ (no TypeScript needed); `--root dist` runs a build anywhere.
      const fromDist = isDist(given) ? given : currentEnv() === 'production' && isDist(join(given, 'dist')) ? join(given, 'dist') : undefined;
      const root = fromDist ?? given;
      const p = port(opts);
      if (cluster.isPrimary) {
        if (!fromDist) await compileApp(root, { progress: Progress.for() });
        else if (!existsSync(join(root, 'build'))) throw CliErrors.BAD_OPTION(`${root} has no build/: run \`stryke build\` again`);
        // Refused in one line rather than every page answering 500 "no such table": a missing SQLite file here,
        // pending migrations by the worker (on its own connection: this process loads no database code).
        checkDatabaseFile(root, currentEnv());
        const server = loadConfig(root, currentEnv()).server ?? {};
        const workers = opts.workers !== undefined ? Number(opts.workers) : defaultWorkerCount(server.workers);
        if (!Number.isInteger(workers) || workers < 1) throw CliErrors.BAD_OPTION(`--workers must be a positive integer, not "${opts.workers}"`);
        const from = fromDist ? `, from ${relative(process.cwd(), fromDist) || '.'}/` : '';
        console.log(`stryke: starting ${workers} worker(s) on port ${p ?? process.env.PORT ?? server.port ?? 3000} (${currentEnv()}${from})`);
        const { metricsSettings } = require('../../observability/internal') as typeof import('../../observability/internal');
        // A bundled build: the workers run dist/server.js (the serving code in one file), with these same arguments.
        // (Not from a single executable: it is the bundle already.)
        if (fromDist && !inSingleExecutable() && existsSync(join(fromDist, SERVER_BUNDLE)) && process.env.STRYKE_NO_BUNDLE !== '1') {
          cluster.setupPrimary({ exec: join(fromDist, SERVER_BUNDLE) });
        } else if (fromDist && !inSingleExecutable()) checkPackages(fromDist);
        runPrimary({ workers, shutdownTimeout: (server.shutdown_timeout ?? 30) * 1000, metrics: metricsSettings(server) });
        releaseOptimizingCompilerOnReady();
      } else {
        await serve({ root, port: p, host: opts.host, check: (app) => refusePendingMigrations(app.db, root, currentEnv()) });
      }
    }));

  program
    .command('server')
    .description('serve the app in one process (no primary), as `stryke dev` runs it')
    .option('--root <dir>', 'the app directory (default: current)')
    .option('-p, --port <port>', 'port')
    .option('--host <host>', 'interface to bind')
    .option('--no-build', 'do not compile first')
    .action(action(async (opts: ServerOptions & { build: boolean }) => {
      const root = appRoot(opts.root);
      if (opts.build) await compileApp(root, { progress: Progress.for() });
      await serve({ root, port: port(opts), host: opts.host });
    }));

  program
    .command('dev')
    .description('develop: watch app/, config/, db/ and public/; recompile incrementally, swap the worker, reload the browser')
    .option('--root <dir>', 'the app directory (default: current)')
    .option('-p, --port <port>', 'port (default: PORT, config/server.toml, 3000)')
    .option('--host <host>', 'interface to bind (default: config/server.toml, 127.0.0.1)')
    .option('-e, --env <env>', 'environment (default: development, whatever STRYKE_ENV says)')
    .action(action(async (opts: ServerOptions) => {
      const root = appRoot(opts.root);
      process.env.STRYKE_ENV = opts.env ?? 'development';
      let server: Record<string, any> = {};
      try {
        server = loadConfig(root, currentEnv()).server ?? {};
      } catch {
        /* a broken config is reported by the worker's boot, on the page */
      }
      const p = port(opts) ?? Number(process.env.PORT ?? server.port ?? 3000);
      let host = String(opts.host ?? server.host ?? defaultHost(currentEnv()));
      if (host === 'localhost') host = '127.0.0.1';
      console.log(`stryke dev: http://${host === '0.0.0.0' ? 'localhost' : host}:${p} (watching ${watchedFolders().map((d) => `${d}/`).join(', ')})`);
      const dev = runDev({ root, bin: join(__dirname, '..', 'bin.js'), port: p, host });
      const quit = async () => {
        await dev.close();
        process.exit(0);
      };
      process.on('SIGINT', quit);
      process.on('SIGTERM', quit);
    }));

  program
    .command('build')
    .description('build dist/: compiled JavaScript, precompiled views, fingerprinted and precompressed assets, the route manifest')
    .option('--root <dir>', 'the app directory (default: current)')
    .option('-o, --out <dir>', 'where to write (default: <root>/dist)')
    .option('--no-bundle', 'do not bundle the serving code into dist/server.js')
    .option('--single [file]', 'also write a single executable (Node\'s SEA) carrying the app, its views, assets, migrations and config: <out>/<app name> by default')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print progress and the result as JSON lines')
    .action(action(async (opts: { root?: string; out?: string; bundle: boolean; single?: string | boolean } & ModeOptions) => {
      const root = appRoot(opts.root);
      const out = Progress.for(opts);
      const started = Date.now();
      await compileApp(root, { progress: out });
      const dir = opts.out ? resolve(opts.out) : join(root, 'dist');
      const rel = relative(process.cwd(), dir);
      const shown = `${rel && !rel.startsWith('..') ? rel : dir}/`;
      const result = buildDist(root, dir, join(__dirname, '..', 'bin.js'), (stage, fn) => out.stepSync(STAGES[stage], fn));
      if (opts.bundle) {
        const bundled = await out.step({ id: 'bundle', doing: 'bundling the serving code', done: 'bundled the serving code' }, () => bundleBuild(dir, 'server', undefined, { codeCache: process.env.STRYKE_CODE_CACHE !== '0', root }));
        if (!out.json) out.info(`  ${SERVER_BUNDLE}  ${bundled.bytes} bytes`);
      }
      if (opts.single) {
        const { buildSingle } = require('../../server') as typeof import('../../server');
        const target = typeof opts.single === 'string' ? resolve(opts.single) : undefined;
        const single = await out.step({ id: 'single', doing: 'writing the single executable', done: 'wrote the single executable' }, () => buildSingle(root, dir, target));
        if (!out.json) out.info(`  ${relative(dir, single.file)}  ${single.bytes} bytes (carrying ${single.carried.files} app files, ${single.carried.bytes} bytes; addons: ${Object.keys(single.natives).join(', ') || 'none'})`);
      }
      for (const f of result.files) {
        const variants = [f.br !== undefined ? `br ${f.br}` : '', f.gzip !== undefined ? `gzip ${f.gzip}` : ''].filter(Boolean).join(', ');
        if (!out.json) out.info(`  ${f.path}  ${f.size} bytes${variants ? ` (${variants})` : ''}`);
      }
      const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
      const ms = Date.now() - started;
      out.info(`Built ${shown} in ${ms} ms: ${n(result.templates, 'template')}, ${n(result.files.length, 'asset')}, ${n(result.routes, 'route')}.`);
      if (!resolvesStryke(dir)) {
        // Outside the app: the server bundle runs as it is, the db commands need the packages there.
        out.info(`${shown} has no node_modules: run \`npm install --omit=dev\` there before \`stryke db migrate\`${opts.bundle ? '' : ' or `stryke start`'}.`);
      }
      out.result({ out: result.out, ms, templates: result.templates, routes: result.routes, files: result.files });
    }));
}

/** What `stryke build` says about each part of a build while it runs. */
const STAGES: Record<DistStage, { id: string; doing: string; done: string }> = {
  code: { id: 'code', doing: 'copying the compiled code', done: 'copied the compiled code' },
  views: { id: 'views', doing: 'precompiling the views', done: 'precompiled the views' },
  assets: { id: 'assets', doing: 'fingerprinting and compressing the assets', done: 'fingerprinted and compressed the assets' },
  config: { id: 'config', doing: 'copying config/ and package.json', done: 'copied config/ and package.json' },
  routes: { id: 'routes', doing: 'writing the route manifest', done: 'wrote the route manifest' },
};
