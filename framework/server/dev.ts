import cluster, { type Worker } from 'node:cluster';
import { existsSync, readFileSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type ts from 'typescript';
import { formatProblem, type BootProblem } from './boot-error';
import { writeAtomically } from '../support';
import { transpileAhead } from './transpile-ahead';
import { DEV_STANDBY_ENV, DEV_WORKER_ENV } from './worker';

/** What a worker reports once it has booted the app (or failed to, holding the error to show). */
interface Booted {
  failed?: boolean;
  bootMs?: number;
}

/** The worker's next `{ type }` message; undefined if it exits first. */
function reply<T>(w: Worker, type: string): Promise<T | undefined> {
  return new Promise((done) => {
    const onMessage = (m: any) => {
      if (m?.type !== type) return;
      w.off('message', onMessage);
      w.off('exit', onExit);
      done(m as T);
    };
    const onExit = () => {
      w.off('message', onMessage);
      done(undefined);
    };
    w.on('message', onMessage);
    w.once('exit', onExit);
  });
}

/** `"module"` when the app's package.json says its .js files are ES modules. */
function readPackageType(root: string): string | undefined {
  try {
    return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).type;
  } catch {
    return undefined;
  }
}

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

  // Workers accept from the shared socket themselves (not round-robin through this process): a connection
  // the primary handed to a worker as it exits would otherwise be lost, and its request hang. One worker
  // serves at a time, so there is nothing to balance.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({
    exec: options.bin,
    args: ['server', '--root', root, '--no-build', '--port', String(options.port), '--host', options.host],
  });

  /** Every worker starts as a spare: framework loaded, waiting for `stryke:boot`. */
  const fork = () => {
    const w = cluster.fork({ STRYKE_ENV: process.env.STRYKE_ENV, STRYKE_LIVE_RELOAD: '1', [DEV_WORKER_ENV]: '1', [DEV_STANDBY_ENV]: '1' });
    return { worker: w, standing: reply<unknown>(w, 'stryke:standby').then((m) => m !== undefined) };
  };
  let spare: ReturnType<typeof fork> | undefined;
  const prepareSpare = () => {
    if (!closed && (!spare || spare.worker.isDead())) spare = fork();
  };
  /** The spare, standing by (a fresh one if it died); undefined if no worker gets that far. */
  const takeSpare = async (): Promise<Worker | undefined> => {
    let next = spare && !spare.worker.isDead() ? spare : fork();
    spare = undefined;
    if (!(await next.standing)) next = fork(); // the spare died: start over once
    return (await next.standing) ? next.worker : undefined;
  };

  /** Tells a standing worker to boot the app (or to prepare `problem`'s page) without listening yet. */
  const boot = (w: Worker, problem?: BootProblem): Promise<Booted | undefined> => {
    const booted = reply<Booted>(w, 'stryke:booted');
    w.send({ type: 'stryke:boot', problem });
    return booted;
  };

  /**
   * The worker booting the app from a change ahead of the compiler's verdict: a changed .ts file is
   * transpiled into build/ at once (no type-check), and a spare boots from it while the compiler checks
   * the program. A clean verdict for the same generation of changes swaps it in; anything else retires it.
   */
  let booting: { worker: Worker; booted: Promise<Booted | undefined>; generation: number } | undefined;
  /** Counts changes under the watched folders; a worker booted before the latest one is stale. */
  let generation = 0;
  const discardBooting = () => {
    if (booting) void retire(booting.worker);
    booting = undefined;
  };
  const bootAhead = (gen: number) => {
    const s = spare;
    if (running || closed) return;
    if (!s || s.worker.isDead()) {
      // Changes in quick succession used the spare: drop the stale early boot, start loading the next spare.
      discardBooting();
      prepareSpare();
      return;
    }
    spare = undefined;
    discardBooting();
    booting = { worker: s.worker, booted: s.standing.then((up) => (up ? boot(s.worker) : undefined)), generation: gen };
  };

  const retire = (w: Worker) =>
    new Promise<void>((done) => {
      if (w.isDead()) return done();
      const timer = setTimeout(() => w.process.kill('SIGKILL'), 5000);
      w.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      (w as any).strykeRetired = true;
      try {
        w.send('stryke:shutdown');
      } catch {
        w.process.kill('SIGKILL'); // its channel is gone already
      }
    });

  /**
   * Puts a worker with the current code (or the current problem's page) in front, then retires the old
   * one. Changes arriving meanwhile coalesce into one more.
   */
  const replace = async (reason: string, at: number) => {
    if (running) {
      pending = { reason, at: pending?.at ?? at };
      return;
    }
    running = true;
    const compiled = compileMs === undefined ? '' : `compile ${compileMs} ms, `;
    compileMs = undefined;
    try {
      const old = current;
      const shown = problem;
      let fresh: Worker | undefined;
      let booted: Booted | undefined;
      const ahead = booting && booting.generation === generation && !booting.worker.isDead() ? booting : undefined;
      if (ahead) {
        booting = undefined;
        booted = await ahead.booted;
        if (booted) fresh = ahead.worker;
      }
      discardBooting();
      if (!fresh) {
        fresh = await takeSpare();
        booted = fresh && (await boot(fresh, shown));
      }
      if (closed) return;
      if (!fresh || !booted) {
        log('stryke dev: the new worker exited before listening; the previous one keeps serving. Watching for changes...');
        return;
      }
      const result = await listen(fresh, shown);
      if (closed) return;
      if (!result) {
        log('stryke dev: the new worker exited before listening; the previous one keeps serving. Watching for changes...');
        return;
      }
      current = fresh;
      healthy = !result.failed;
      const ms = Date.now() - at;
      if (old) await retire(old);
      if (result.failed) log(`stryke dev: serving the error page (${reason}). Watching for changes...`);
      else log(`stryke dev: ${reason}: live in ${ms} ms (${compiled}worker boot ${Math.round(booted.bootMs ?? 0)} ms${ahead ? ', booted during the compile' : ''})`);
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

  /** Tells a booted worker to take connections: the app, or `problem`'s page. */
  const listen = (w: Worker, problem?: BootProblem): Promise<{ failed?: boolean } | undefined> => {
    const ready = reply<{ failed?: boolean }>(w, 'stryke:ready');
    w.send({ type: 'stryke:listen', problem });
    return ready;
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
  /** When the compiler started its last pass, and how long that pass took (logged with the swap). */
  let compileStart = Date.now();
  let compileMs: number | undefined;
  /** Changed .ts files not transpiled ahead yet. */
  const changedTs = new Set<string>();
  let tsTimer: NodeJS.Timeout | undefined;
  let onTsChange = (_file: string) => {};
  if (existsSync(tsconfig)) {
    const typescript = require('typescript') as typeof ts;
    const diagnostics: ts.Diagnostic[] = [];
    /** JavaScript written ahead since the compiler's last pass, and what that pass wrote. */
    const ahead = new Set<string>();
    const emitted = new Set<string>();
    let compilerOptions: ts.CompilerOptions | undefined;
    const host = typescript.createWatchCompilerHost(
      tsconfig, { sourceMap: true }, typescript.sys, typescript.createEmitAndSemanticDiagnosticsBuilderProgram,
      (d) => diagnostics.push(d),
      (d, _newLine, _opts, errorCount) => {
        if (d.code === 6031 || d.code === 6032) {
          diagnostics.length = 0;
          emitted.clear();
          compileStart = Date.now();
          return;
        }
        if (d.code !== 6193 && d.code !== 6194) return;
        compileMs = Date.now() - compileStart;
        // The pass emitted JavaScript the worker booting ahead did not load (a change rippled into other
        // files' output): that worker runs stale code.
        if ([...emitted].some((f) => f.endsWith('.js') && !ahead.has(f))) discardBooting();
        ahead.clear();
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
    // Atomic writes: a worker booting meanwhile never requires a half-written file.
    // (`writeFile` is on every program host, though the watch host's declared type leaves it out.)
    (host as ts.WatchCompilerHostOfConfigFile<ts.EmitAndSemanticDiagnosticsBuilderProgram> & { writeFile(file: string, text: string): void }).writeFile = (file, text) => {
      emitted.add(resolve(file));
      writeAtomically(file, text);
    };
    const afterProgramCreate = host.afterProgramCreate!.bind(host);
    host.afterProgramCreate = (program) => {
      compilerOptions = program.getCompilerOptions();
      afterProgramCreate(program);
    };
    // An ES-module app is left to the compiler alone (the head start writes CommonJS).
    const esm = readPackageType(root) === 'module';
    onTsChange = (file) => {
      changedTs.add(join(root, file));
      clearTimeout(tsTimer);
      tsTimer = setTimeout(() => {
        const gen = ++generation;
        const files = [...changedTs];
        changedTs.clear();
        if (esm || !compilerOptions || closed) return;
        const written = transpileAhead(typescript, compilerOptions, files);
        if (!written) return;
        for (const f of written) ahead.add(resolve(f));
        bootAhead(gen);
      }, 10);
    };
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
            generation++;
            for (const ext of ['.js', '.js.map', '.d.ts']) rmSync(join(root, 'build', file.replace(/\.ts$/, ext)), { force: true });
            clearTimeout(timer);
            timer = setTimeout(() => void replace(`${file} removed`, changedAt), 30);
          } else if (!file.endsWith('.d.ts')) {
            onTsChange(file);
          }
          return;
        }
        if (dir !== 'public') generation++; // a worker booting ahead saw the folder before this
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
