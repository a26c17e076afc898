import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { currentEnv, loadConfig } from '../../config/load';
import { defaultWorkerCount, runPrimary } from '../../server/primary';
import { runDev, WATCHED } from '../../server/dev';
import { buildDist, isDist } from '../../server/dist';
import { serve } from '../../server/worker';
import { appRoot, compileApp } from '../app-root';
import { CliErrors } from '../errors';
import { action } from '../output';

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
    .option('--host <host>', 'interface to bind (default: 0.0.0.0)')
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
        if (!fromDist) compileApp(root);
        else if (!existsSync(join(root, 'build'))) throw CliErrors.BAD_OPTION(`${root} has no build/: run \`stryke build\` again`);
        const server = loadConfig(root, currentEnv()).server ?? {};
        const workers = opts.workers !== undefined ? Number(opts.workers) : defaultWorkerCount(server.workers);
        if (!Number.isInteger(workers) || workers < 1) throw CliErrors.BAD_OPTION(`--workers must be a positive integer, not "${opts.workers}"`);
        const from = fromDist ? `, from ${relative(process.cwd(), fromDist) || '.'}/` : '';
        console.log(`stryke: starting ${workers} worker(s) on port ${p ?? process.env.PORT ?? server.port ?? 3000} (${currentEnv()}${from})`);
        runPrimary({ workers, shutdownTimeout: (server.shutdown_timeout ?? 30) * 1000 });
      } else {
        await serve({ root, port: p, host: opts.host });
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
      if (opts.build) compileApp(root);
      await serve({ root, port: port(opts), host: opts.host });
    }));

  program
    .command('dev')
    .description('develop: watch app/, config/, db/ and public/; recompile incrementally, swap the worker, reload the browser')
    .option('--root <dir>', 'the app directory (default: current)')
    .option('-p, --port <port>', 'port (default: PORT, config/server.toml, 3000)')
    .option('--host <host>', 'interface to bind (default: config/server.toml, 0.0.0.0)')
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
      let host = String(opts.host ?? server.host ?? '0.0.0.0');
      if (host === 'localhost') host = '127.0.0.1';
      console.log(`stryke dev: http://${host === '0.0.0.0' ? 'localhost' : host}:${p} (watching ${WATCHED.map((d) => `${d}/`).join(', ')})`);
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
    .action(action(async (opts: { root?: string; out?: string }) => {
      const root = appRoot(opts.root);
      const started = Date.now();
      compileApp(root);
      const out = opts.out ? resolve(opts.out) : join(root, 'dist');
      const result = buildDist(root, out, join(__dirname, '..', 'bin.js'));
      for (const f of result.files) {
        const variants = [f.br !== undefined ? `br ${f.br}` : '', f.gzip !== undefined ? `gzip ${f.gzip}` : ''].filter(Boolean).join(', ');
        console.log(`  ${f.path}  ${f.size} bytes${variants ? ` (${variants})` : ''}`);
      }
      const rel = relative(process.cwd(), out);
      const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
      console.log(`Built ${rel && !rel.startsWith('..') ? rel : out}/ in ${Date.now() - started} ms: ${n(result.templates, 'template')}, ${n(result.files.length, 'asset')}, ${n(result.routes, 'route')}.`);
    }));
}
