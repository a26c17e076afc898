import cluster, { type Worker } from 'node:cluster';
import { existsSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { join, relative } from 'node:path';
import type ts from 'typescript';
import { formatProblem, type BootProblem } from './boot-error';
import { DEV_STANDBY_ENV, DEV_WORKER_ENV } from './worker';

export interface DevOptions {
  root: string;
  /** The stryke CLI script the workers run (`stryke server`). */
  bin: string;
  port: number;
  host: string;
  log?: (line: string) => void;
}

/** The folders `stryke dev` watches. */
export const WATCHED = ['app', 'config', 'db', 'public'];

/**
 * `stryke dev`: a primary that holds the listening socket and one worker that serves. TypeScript is
 * compiled in this process by the compiler's watch API (incremental: only what changed is re-checked
 * and re-emitted). After each good compile, or a change to a view or a config file, a new worker boots
 * beside the old one and the old one is retired once the new one listens, so no request is refused. A
 * change under public/ only reloads the browsers. A compile or boot error is printed with file and line,
 * and served as the page until a fix boots.
 */
export function runDev(options: DevOptions): { close(): Promise<void> } {
  const log = options.log ?? ((l: string) => console.log(l));
  const { root } = options;
  let current: Worker | undefined;
  let problem: BootProblem | undefined;
  let pending: { reason: string; at: number } | undefined;
  let running = false;
  let closed = false;
  /** Whether the serving worker runs the app (not an error page). */
  let healthy = false;

  cluster.setupPrimary({
    exec: options.bin,
    args: ['server', '--root', root, '--no-build', '--port', String(options.port), '--host', options.host],
  });

  /** Every worker starts as a spare: framework loaded, waiting for `stryke:boot`. */
  const fork = () => {
    const w = cluster.fork({ STRYKE_ENV: process.env.STRYKE_ENV, STRYKE_LIVE_RELOAD: '1', [DEV_WORKER_ENV]: '1', [DEV_STANDBY_ENV]: '1' });
    const standing = new Promise<boolean>((done) => {
      const onMessage = (m: any) => {
        if (m?.type !== 'stryke:standby') return;
        w.off('message', onMessage);
        done(true);
      };
      w.on('message', onMessage);
      w.once('exit', () => done(false));
    });
    return { worker: w, standing };
  };
  let spare: ReturnType<typeof fork> | undefined;
  const prepareSpare = () => {
    if (!closed && (!spare || spare.worker.isDead())) spare = fork();
  };

  const ready = (w: Worker) =>
    new Promise<{ ok: boolean; failed?: boolean; bootMs?: number }>((done) => {
      const onMessage = (m: any) => {
        if (m?.type !== 'stryke:ready') return;
        w.off('exit', onExit);
        done({ ok: true, failed: !!m.failed, bootMs: m.bootMs });
      };
      const onExit = () => {
        w.off('message', onMessage);
        done({ ok: false });
      };
      w.on('message', onMessage);
      w.once('exit', onExit);
    });

  const retire = (w: Worker) =>
    new Promise<void>((done) => {
      if (w.isDead()) return done();
      const timer = setTimeout(() => w.process.kill('SIGKILL'), 5000);
      w.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      (w as any).strykeRetired = true;
      w.send('stryke:shutdown');
    });

  /** Boots a new worker, then retires the old one. Changes arriving meanwhile coalesce into one more. */
  const replace = async (reason: string, at: number) => {
    if (running) {
      pending = { reason, at: pending?.at ?? at };
      return;
    }
    running = true;
    try {
      const old = current;
      let next = spare && !spare.worker.isDead() ? spare : fork();
      spare = undefined;
      if (!(await next.standing)) next = fork(); // the spare died: start over once
      const fresh = next.worker;
      const booted = ready(fresh);
      fresh.send({ type: 'stryke:boot', problem });
      const result = await booted;
      if (closed) return;
      if (!result.ok) {
        log('stryke dev: the new worker exited before listening; the previous one keeps serving. Watching for changes...');
        return;
      }
      current = fresh;
      healthy = !result.failed;
      const ms = Date.now() - at;
      if (old) await retire(old);
      if (result.failed) log(`stryke dev: serving the error page (${reason}). Watching for changes...`);
      else log(`stryke dev: ${reason}: live in ${ms} ms (worker boot ${Math.round(result.bootMs ?? 0)} ms)`);
    } finally {
      running = false;
      prepareSpare();
      if (pending && !closed) {
        const next = pending;
        pending = undefined;
        void replace(next.reason, next.at);
      }
    }
  };

  /** A view changed: the serving worker recompiles its templates in place, then browsers reload. */
  let viewRequests = 0;
  const recompileViews = async (file: string, at: number) => {
    const w = current;
    if (!w || w.isDead() || running || !healthy) return replace(`${file} changed`, at);
    const id = ++viewRequests;
    const ok = await new Promise<boolean>((done) => {
      const onMessage = (m: any) => {
        if (m?.type !== 'stryke:views-done' || m.id !== id) return;
        w.off('message', onMessage);
        w.off('exit', onExit);
        done(!!m.ok);
      };
      const onExit = () => done(false);
      w.on('message', onMessage);
      w.once('exit', onExit);
      setTimeout(() => done(false), 3000).unref();
      w.send({ type: 'stryke:views', id });
    });
    if (!ok) return replace(`${file} changed`, at); // a template error: the new worker's boot shows it
    w.send({ type: 'stryke:reload', file });
    log(`stryke dev: ${file} changed: views recompiled, live in ${Date.now() - at} ms`);
  };

  cluster.on('exit', (w, code, signal) => {
    if (closed || (w as any).strykeRetired || w !== current) return;
    log(`stryke dev: the worker died (${signal ?? `exit ${code}`}); starting another`);
    current = undefined;
    void replace('restart after a crash', Date.now());
  });

  prepareSpare(); // loads the framework while the first compile runs

  // ---- TypeScript, compiled in-process and incrementally ----
  const tsconfig = join(root, 'tsconfig.json');
  let tsWatch: ts.WatchOfConfigFile<ts.EmitAndSemanticDiagnosticsBuilderProgram> | undefined;
  let changedAt = Date.now();
  let changedFile = 'start';
  if (existsSync(tsconfig)) {
    const typescript = require('typescript') as typeof ts;
    const diagnostics: ts.Diagnostic[] = [];
    const host = typescript.createWatchCompilerHost(
      tsconfig, { sourceMap: true }, typescript.sys, typescript.createEmitAndSemanticDiagnosticsBuilderProgram,
      (d) => diagnostics.push(d),
      (d, _newLine, _opts, errorCount) => {
        if (d.code === 6031 || d.code === 6032) {
          diagnostics.length = 0;
          return;
        }
        if (d.code !== 6193 && d.code !== 6194) return;
        const errors = diagnostics.filter((x) => x.category === typescript.DiagnosticCategory.Error);
        if (errorCount || errors.length) {
          problem = compileProblem(typescript, root, errors);
          process.stderr.write(formatProblem(root, problem));
          void replace(`${problem.file ?? 'the app'} does not compile`, changedAt);
        } else {
          problem = undefined;
          void replace(changedFile === 'start' ? 'started' : `${changedFile} changed`, changedAt);
        }
      },
    );
    // The compiler waits 250 ms after a change before rebuilding; an editor's save is one write.
    const setTimer = host.setTimeout!.bind(host);
    host.setTimeout = (cb: (...a: any[]) => void, ms: number, ...args: any[]) => setTimer(cb, Math.min(ms, 25), ...args);
    tsWatch = typescript.createWatchProgram(host);
  } else {
    void replace('started', Date.now());
  }

  // ---- views, config, public/ ----
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  for (const dir of WATCHED) {
    const full = join(root, dir);
    if (!existsSync(full)) continue;
    watchers.push(
      watch(full, { recursive: true }, (_event, name) => {
        if (!name) return;
        const file = `${dir}/${String(name).split('\\').join('/')}`;
        if (/(^|\/)(build|dist|node_modules|tmp)\//.test(file) || /\.(sqlite3?|db)(-journal|-wal|-shm)?$/.test(file) || /(~|\.swp)$/.test(file)) return;
        changedAt = Date.now();
        changedFile = file;
        if (file.endsWith('.ts')) {
          // The compiler emits changed files; a deleted source's output is removed here.
          if (!existsSync(join(root, file))) {
            for (const ext of ['.js', '.js.map', '.d.ts']) rmSync(join(root, 'build', file.replace(/\.ts$/, ext)), { force: true });
            clearTimeout(timer);
            timer = setTimeout(() => void replace(`${file} removed`, changedAt), 30);
          }
          return;
        }
        if (dir === 'public') {
          clearTimeout(timer);
          timer = setTimeout(() => {
            current?.send({ type: 'stryke:reload', file });
            log(`stryke dev: ${file} changed: browsers reloaded`);
          }, 30);
          return;
        }
        if (problem?.title.startsWith('TS')) return; // the code does not compile: a view change cannot help
        clearTimeout(timer);
        if (dir === 'app' && file.endsWith('.hbs') && current && !running && healthy) {
          timer = setTimeout(() => void recompileViews(file, changedAt), 15);
          return;
        }
        timer = setTimeout(() => void replace(`${file} changed`, changedAt), 30);
      }),
    );
  }

  return {
    async close() {
      closed = true;
      tsWatch?.close();
      if (spare) (spare.worker as any).strykeRetired = true;
      for (const w of watchers) w.close();
      await Promise.all(Object.values(cluster.workers ?? {}).map((w) => retire(w!)));
    },
  };
}

function compileProblem(typescript: typeof ts, root: string, errors: readonly ts.Diagnostic[]): BootProblem {
  const first = errors[0];
  const lines = errors.slice(0, 10).map((d) => {
    const text = typescript.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return `TS${d.code}: ${text}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${relative(root, d.file.fileName)}:${line + 1}:${character + 1} - TS${d.code}: ${text}`;
  });
  const more = errors.length > 10 ? `\n(and ${errors.length - 10} more)` : '';
  let where: Pick<BootProblem, 'file' | 'line' | 'column'> = {};
  if (first?.file && first.start !== undefined) {
    const { line, character } = first.file.getLineAndCharacterOfPosition(first.start);
    where = { file: relative(root, first.file.fileName), line: line + 1, column: character + 1 };
  }
  return {
    title: `TS${first?.code ?? ''}: ${where.file ?? 'the app'} does not compile (${errors.length} error${errors.length === 1 ? '' : 's'})`,
    message: lines.join('\n') + more,
    ...where,
  };
}
