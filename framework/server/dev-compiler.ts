import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type ts from 'typescript';
import { formatProblem, type BootProblem } from './boot-error';
import { writeAtomically } from '../support';
import { transpileAhead } from './transpile-ahead';
import type { WorkerSwapper } from './dev-swapper';

/** The latest change under the watched folders (set by the watcher, read when the compiler's verdict comes). */
export interface LastChange {
  at: number;
  file: string;
}

/** `"module"` when the app's package.json says its .js files are ES modules. */
function readPackageType(root: string): string | undefined {
  try {
    return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).type;
  } catch {
    return undefined;
  }
}

export interface DevCompiler {
  /** A .ts file under the watched folders changed (path relative to the root). */
  changed(file: string): void;
  close(): void;
}

/**
 * The TypeScript side of `stryke dev`, compiled in this process by the compiler's watch API (incremental:
 * only what changed is re-checked and re-emitted). Each verdict asks the swapper for a new worker: the app
 * after a clean pass, the error page (printed with file and line) after a failed one. A changed file is
 * also transpiled ahead (no type-check) so that a spare can boot from it during the check. Undefined when
 * the app has no tsconfig.json.
 */
export function startDevCompiler(root: string, swapper: WorkerSwapper, last: LastChange): DevCompiler | undefined {
  const tsconfig = join(root, 'tsconfig.json');
  if (!existsSync(tsconfig)) return undefined;
  /** When the compiler started its last pass (its length is logged with the swap). */
  let compileStart = Date.now();
  /** Changed .ts files not transpiled ahead yet. */
  const changedTs = new Set<string>();
  let tsTimer: NodeJS.Timeout | undefined;
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
      swapper.compileMs = Date.now() - compileStart;
      // The pass emitted JavaScript the worker booting ahead did not load (a change rippled into other
      // files' output): that worker runs stale code.
      if ([...emitted].some((f) => f.endsWith('.js') && !ahead.has(f))) swapper.discardBooting();
      ahead.clear();
      const errors = diagnostics.filter((x) => x.category === typescript.DiagnosticCategory.Error);
      if (errorCount || errors.length) {
        const problem = compileProblem(typescript, root, errors);
        swapper.problem = problem;
        process.stderr.write(formatProblem(root, problem));
        void swapper.replace(`${problem.file ?? 'the app'} does not compile`, last.at);
      } else {
        swapper.problem = undefined;
        void swapper.replace(last.file === 'start' ? 'started' : `${last.file} changed`, last.at);
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
  const tsWatch = typescript.createWatchProgram(host);
  return {
    changed(file) {
      changedTs.add(join(root, file));
      clearTimeout(tsTimer);
      tsTimer = setTimeout(() => {
        const gen = ++swapper.generation;
        const files = [...changedTs];
        changedTs.clear();
        if (esm || !compilerOptions || swapper.isClosed) return;
        const written = transpileAhead(typescript, compilerOptions, files);
        if (!written) return;
        for (const f of written) ahead.add(resolve(f));
        swapper.bootAhead(gen);
      }, 10);
    },
    close() {
      tsWatch.close();
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
