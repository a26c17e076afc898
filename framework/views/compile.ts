import { existsSync, readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type Handlebars from 'handlebars';
import { walkFiles } from '../support';
import { ViewErrors } from './errors';

/** The precompiled views `stryke build` writes into `dist/build/`. */
export const PRECOMPILED_FILE = 'stryke-views.js';

/** Template and partial names to Handlebars template specs (objects, or their JS source text). */
export interface CompiledSet {
  templates: Record<string, unknown>;
  partials: Record<string, unknown>;
}

export interface Source {
  /** `posts/index`, `posts/_form`, `layouts/application` (no extension). */
  name: string;
  text: string;
}

/** Reads every `.hbs` file under `dir`. */
export function readSources(dir: string): Source[] {
  if (!existsSync(dir)) return [];
  return walkFiles(dir, (n) => n.endsWith('.hbs')).map((file) => ({
    name: relative(dir, file).split(sep).join('/').replace(/\.hbs$/, ''),
    text: readFileSync(file, 'utf8'),
  }));
}

/** `posts/_form` -> `posts/form`; undefined for a template that is not a partial. */
export function partialName(name: string): string | undefined {
  const m = /^(.*\/)?_([^/]+)$/.exec(name);
  return m ? `${m[1] ?? ''}${m[2]}` : undefined;
}

/**
 * Resolves a partial name used inside the template `from`: a bare name (`form`) means the partial beside
 * it (`posts/form`), then `shared/form`, then a top-level `form`; a name with a slash is taken as is.
 */
export function resolvePartial(name: string, from: string, exists: (n: string) => boolean): string {
  if (name.includes('/')) return name;
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
  for (const candidate of [dir ? `${dir}/${name}` : name, `shared/${name}`, name]) if (exists(candidate)) return candidate;
  return dir && !dir.startsWith('layouts') ? `${dir}/${name}` : name;
}

/**
 * Precompiles every source to JavaScript (Handlebars' template spec). Partial names are resolved here,
 * once, and a partial that does not exist fails the compile naming the template, line and file tried.
 */
export function compileSources(hb: typeof Handlebars, sources: Source[]): { templates: Record<string, string>; partials: Record<string, string> } {
  const partialNames = new Set(sources.map((s) => partialName(s.name)).filter((n): n is string => !!n));
  const out = { templates: {} as Record<string, string>, partials: {} as Record<string, string> };
  for (const src of sources) {
    const file = `app/views/${src.name}.hbs`;
    let ast: hbs.AST.Program;
    try {
      ast = hb.parse(src.text);
    } catch (err) {
      throw ViewErrors.COMPILE(file, (err as Error).message);
    }
    checkPartials(ast, src.name, file, partialNames);
    let spec: string;
    try {
      // A `.text.hbs` template (a mail's text part) is plain text: HTML-escaping it would show `&amp;`.
      spec = hb.precompile(ast as any, { strict: false, noEscape: /\.text$/.test(src.name) }) as unknown as string;
    } catch (err) {
      throw ViewErrors.COMPILE(file, (err as Error).message);
    }
    const p = partialName(src.name);
    if (p) out.partials[p] = spec;
    else out.templates[src.name] = spec;
  }
  return out;
}

/** Turns spec source text into spec objects (what `Handlebars.template` takes). */
export function evaluate(set: { templates: Record<string, string>; partials: Record<string, string> }): CompiledSet {
  // eslint-disable-next-line no-new-func
  const load = (spec: string) => new Function(`return ${spec}`)();
  const map = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, load(v)]));
  return { templates: map(set.templates), partials: map(set.partials) };
}

/** The JavaScript module `stryke build` writes: `module.exports = { templates, partials }`. */
export function bundleSource(set: { templates: Record<string, string>; partials: Record<string, string> }): string {
  const obj = (o: Record<string, string>) => `{\n${Object.entries(o).map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(',\n')}\n}`;
  return `'use strict';\n// Precompiled by \`stryke build\`: the app's Handlebars views.\nmodule.exports = { templates: ${obj(set.templates)}, partials: ${obj(set.partials)} };\n`;
}

function checkPartials(ast: hbs.AST.Program, from: string, file: string, partials: Set<string>): void {
  const inline = new Set<string>();
  const uses: { node: any; name: string; line: number; literal?: any }[] = [];
  const visit = (node: any): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    if ((node.type === 'DecoratorBlock' || node.type === 'Decorator') && node.path?.original === 'inline' && node.params?.[0]?.type === 'StringLiteral') {
      inline.add(node.params[0].value);
    }
    if ((node.type === 'PartialStatement' || node.type === 'PartialBlockStatement') && node.name?.type !== 'SubExpression') {
      const name = String(node.name.original ?? node.name.value);
      if (!name.startsWith('@')) uses.push({ node: node.name, name, line: node.loc?.start?.line ?? 0 });
    }
    if ((node.type === 'MustacheStatement' || node.type === 'SubExpression') && node.path?.original === 'render' && node.params?.[0]?.type === 'StringLiteral') {
      uses.push({ node: null, name: node.params[0].value, line: node.loc?.start?.line ?? 0, literal: node.params[0] });
    }
    for (const key of ['body', 'program', 'inverse', 'params', 'hash', 'pairs', 'value']) if (key in node) visit(node[key]);
  };
  visit(ast);
  for (const use of uses) {
    if (inline.has(use.name)) continue;
    const resolved = resolvePartial(use.name, from, (n) => partials.has(n));
    if (!partials.has(resolved)) {
      const parts = resolved.split('/');
      parts[parts.length - 1] = `_${parts[parts.length - 1]}`;
      throw ViewErrors.MISSING_PARTIAL(use.name, `${file}:${use.line}`, `app/views/${parts.join('/')}.hbs`);
    }
    if (use.node) {
      use.node.original = resolved;
      if (use.node.parts) use.node.parts = [resolved];
    } else {
      use.literal.value = resolved;
      use.literal.original = resolved;
    }
  }
}
