import { readFileSync } from 'node:fs';
import { writeAtomically } from '../support';
import { join, relative } from 'node:path';
import type ts from 'typescript';

/** Where the compiler writes a source file's JavaScript (`<outDir>/<path under rootDir>.js`). */
export function outputOf(options: ts.CompilerOptions, file: string): string | undefined {
  if (!options.outDir || !options.rootDir || !/\.ts$/.test(file) || /\.d\.ts$/.test(file)) return undefined;
  const rel = relative(options.rootDir, file);
  if (rel.startsWith('..')) return undefined;
  return join(options.outDir, rel.replace(/\.ts$/, '.js'));
}

/**
 * `stryke dev`'s head start: compiles these changed files one by one, without type information
 * (TypeScript's `transpileModule`: tens of milliseconds, where the type-checked emit of the same file takes
 * hundreds), into the paths the compiler writes, with source maps. The output runs as the checked emit
 * does: decorator metadata names the same classes (`Object` for interfaces and unions), imports used only
 * as types are dropped. Returns the files written, or undefined when a file cannot be handled this way
 * (a syntax error, or a file outside rootDir): the compiler's pass then decides alone.
 */
export function transpileAhead(typescript: typeof ts, options: ts.CompilerOptions, files: string[]): string[] | undefined {
  const outputs: Array<[string, string, string | undefined]> = [];
  for (const file of files) {
    const out = outputOf(options, file);
    if (!out) return undefined;
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      return undefined; // removed meanwhile
    }
    const result = typescript.transpileModule(source, {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: { ...options, module: typescript.ModuleKind.CommonJS, moduleResolution: typescript.ModuleResolutionKind.Node10, declaration: false, composite: false, incremental: false, tsBuildInfoFile: undefined },
    });
    if (result.diagnostics?.some((d) => d.category === typescript.DiagnosticCategory.Error)) return undefined;
    outputs.push([out, result.outputText, result.sourceMapText]);
  }
  for (const [out, js, map] of outputs) {
    if (map) writeAtomically(`${out}.map`, map);
    writeAtomically(out, js);
  }
  return outputs.map(([out]) => out);
}
