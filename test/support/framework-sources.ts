import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository root, from a compiled test (build/test/<dir>/<file>.js). */
export const repo = join(__dirname, '..', '..', '..');
/** The framework's sources. */
export const framework = join(repo, 'framework');

/** Every TypeScript source under `dir` (declaration files left out), in a stable order. */
export function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The code of a source text without its comments (a doc comment may name what the code must not touch). */
export function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Every framework source, by its path from the repository root (forward slashes) and its code without comments. */
export function frameworkCode(): { rel: string; text: string }[] {
  return sources(framework).map((path) => ({ rel: relative(repo, path).split('\\').join('/'), text: withoutComments(readFileSync(path, 'utf8')) }));
}
