import { spawn, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { watch } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { currentEnv, loadConfig } from '../../config/load';
import { defaultWorkerCount, runPrimary } from '../../server/primary';
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
      const root = appRoot(opts.root);
      if (opts.env) process.env.STRYKE_ENV = opts.env;
      const p = port(opts);
      if (cluster.isPrimary) {
        compileApp(root);
        const server = loadConfig(root, currentEnv()).server ?? {};
        const workers = opts.workers !== undefined ? Number(opts.workers) : defaultWorkerCount(server.workers);
        if (!Number.isInteger(workers) || workers < 1) throw CliErrors.BAD_OPTION(`--workers must be a positive integer, not "${opts.workers}"`);
        console.log(`stryke: starting ${workers} worker(s) on port ${p ?? process.env.PORT ?? server.port ?? 3000} (${currentEnv()})`);
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
    .description('develop: one process, recompiled and restarted when app/, config/ or db/ change')
    .option('--root <dir>', 'the app directory (default: current)')
    .option('-p, --port <port>', 'port')
    .action(action(async (opts: ServerOptions) => {
      const root = appRoot(opts.root);
      const bin = join(__dirname, '..', 'bin.js');
      let child: ChildProcess | undefined;
      const startChild = () => {
        const args = [bin, 'server', '--root', root, '--no-build', ...(opts.port ? ['--port', opts.port] : [])];
        child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, STRYKE_ENV: process.env.STRYKE_ENV ?? 'development' } });
      };
      const stopChild = () =>
        new Promise<void>((done) => {
          if (!child || child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        });
      const rebuild = async () => {
        await stopChild();
        try {
          compileApp(root);
        } catch (err) {
          console.error(`stryke dev: ${(err as Error).message} Watching for changes...`);
          return;
        }
        startChild();
      };
      await rebuild();
      let timer: NodeJS.Timeout | undefined;
      for (const dir of ['app', 'config', 'db']) {
        try {
          watch(join(root, dir), { recursive: true }, (_event, file) => {
            if (file && /(^|\/)build\//.test(String(file))) return;
            clearTimeout(timer);
            timer = setTimeout(() => {
              console.log(`stryke dev: ${dir}/${file} changed, restarting`);
              void rebuild();
            }, 100);
          });
        } catch {
          /* a missing folder is simply not watched */
        }
      }
      const quit = async () => {
        await stopChild();
        process.exit(0);
      };
      process.on('SIGINT', quit);
      process.on('SIGTERM', quit);
    }));

  program
    .command('build')
    .description('compile the app\'s TypeScript into build/')
    .option('--root <dir>', 'the app directory (default: current)')
    .action(action(async (opts: { root?: string }) => {
      compileApp(appRoot(opts.root));
      console.log('Built.');
    }));
}
