import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ejs from 'ejs';
import { StrykeError } from '../support';
import { unifiedDiff } from './diff';
import { GeneratorErrors } from './errors';

/** The framework checkout (compiled files live in build/framework/generators). */
export const FRAMEWORK_ROOT = join(__dirname, '..', '..', '..');
/** One folder of EJS templates per generator, at the repository root (not compiled). */
export const SCHEMATICS_DIR = join(FRAMEWORK_ROOT, 'schematics');

/**
 * One template of a schematic: `schematics/<name>/**\/*.ejs`. It starts with front matter naming where
 * its output goes (itself an EJS expression, so it can use the names):
 *
 *     ---
 *     to: app/models/<%= names.fileName %>.ts
 *     unless_exists: true      # optional: leave an existing file alone, whatever it holds
 *     each: actions as action  # optional: one file per item of a list local, the item named `action`
 *     ---
 *
 * A `to:` that renders empty skips the file. Files whose name starts with `_` are partials, for
 * `<%- include('_name', { ... }) %>`, and produce nothing themselves.
 */
export interface Template {
  /** The template's path, relative to schematics/. */
  source: string;
  file: string;
  to: string;
  unlessExists: boolean;
  /** `each: <list> as <item>`: the template renders once per item of the local `list`. */
  each?: { list: string; item: string };
  body: string;
  /** The line the body starts on, for error messages. */
  bodyLine: number;
}

/** A file a generator means to write, relative to the target root. */
export interface PlannedFile {
  path: string;
  content: string;
  /** Leave an existing file as it is (shared base classes, layouts). */
  unlessExists?: boolean;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (name.endsWith('.ejs') && !name.startsWith('_')) out.push(full);
  }
  return out;
}

export function parseTemplate(file: string, text: string): Template {
  const source = relative(SCHEMATICS_DIR, file).split(sep).join('/');
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text);
  if (!m) throw GeneratorErrors.BAD_TEMPLATE(source, 'it must start with front matter: a line "---", "to: <path>", and a line "---".');
  const header: Record<string, string> = {};
  for (const line of m[1]!.split(/\r?\n/)) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const kv = /^([a-z_]+):\s?(.*)$/.exec(line);
    if (!kv) throw GeneratorErrors.BAD_TEMPLATE(source, `front matter line "${line}" is not "key: value".`);
    header[kv[1]!] = kv[2]!.replace(/\s+#.*$/, '').trim();
  }
  for (const key of Object.keys(header)) {
    if (!['to', 'unless_exists', 'each'].includes(key)) throw GeneratorErrors.BAD_TEMPLATE(source, `unknown front matter key "${key}" (keys: to, unless_exists, each).`);
  }
  let each: Template['each'];
  if (header.each !== undefined) {
    const m = /^([A-Za-z_$][\w$]*)\s+as\s+([A-Za-z_$][\w$]*)$/.exec(header.each);
    if (!m) throw GeneratorErrors.BAD_TEMPLATE(source, `"each: ${header.each}" must read "each: <list> as <item>".`);
    each = { list: m[1]!, item: m[2]! };
  }
  if (header.to === undefined) throw GeneratorErrors.BAD_TEMPLATE(source, 'its front matter has no "to:" line.');
  return {
    source, file, to: header.to, unlessExists: header.unless_exists === 'true', each,
    body: text.slice(m[0].length), bodyLine: m[0].split('\n').length,
  };
}

/** The templates of one schematic (`schematics/<name>`), in a stable order. */
export function loadSchematic(name: string): Template[] {
  const dir = join(SCHEMATICS_DIR, name);
  if (!existsSync(dir)) throw GeneratorErrors.BAD_TEMPLATE(`${name}/`, `the folder ${dir} is missing from the stryke checkout.`);
  return walk(dir).map((f) => parseTemplate(f, readFileSync(f, 'utf8')));
}

function render(t: Template, text: string, locals: Record<string, unknown>, what: string): string {
  try {
    // Templates write code, not HTML: `<%= %>` outputs as-is.
    return ejs.render(text, locals, { filename: t.file, escape: (s: unknown) => (s === undefined || s === null ? '' : String(s)), async: false });
  } catch (err) {
    const first = String((err as Error).message).split('\n').filter(Boolean).pop();
    throw GeneratorErrors.BAD_TEMPLATE(t.source, `${what}: ${first}`);
  }
}

/** Renders every template of the schematics, in order, into the files they declare. */
export function renderSchematics(names: string[], locals: Record<string, unknown>): PlannedFile[] {
  const out: PlannedFile[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    for (const t of loadSchematic(name)) {
      let runs: Record<string, unknown>[] = [locals];
      if (t.each) {
        const list = locals[t.each.list];
        if (!Array.isArray(list)) throw GeneratorErrors.BAD_TEMPLATE(t.source, `"each: ${t.each.list} as ${t.each.item}" needs a list named ${t.each.list}.`);
        runs = list.map((item) => ({ ...locals, [t.each!.item]: item }));
      }
      for (const l of runs) {
        const to = render(t, t.to, l, 'its "to:" line').trim();
        if (!to) continue;
        if (isAbsolute(to) || to.split('/').includes('..')) throw GeneratorErrors.BAD_TEMPLATE(t.source, `"to: ${to}" must be a path inside the app.`);
        if (seen.has(to)) throw GeneratorErrors.BAD_TEMPLATE(t.source, `it writes ${to}, as ${seen.get(to)} already does.`);
        seen.set(to, t.source);
        out.push({ path: to, content: render(t, t.body, l, 'its body'), unlessExists: t.unlessExists });
      }
    }
  }
  return out;
}

export type Status = 'create' | 'identical' | 'exist' | 'conflict' | 'force' | 'skip';

export interface Outcome {
  path: string;
  status: Status;
  /** For a conflict: the unified diff from the existing file to the generated one. */
  diff?: string;
}

export interface ApplyOptions {
  /** Overwrite files that differ. */
  force?: boolean;
  /** Keep files that differ, write the rest. */
  skip?: boolean;
  /** Report what would happen; write nothing. */
  dryRun?: boolean;
  /** Where status lines go (default: stdout). */
  log?: (line: string) => void;
  paint?: (status: string, text: string) => string;
}

export function statusLine(status: Status | 'link' | 'note' | 'remove' | 'missing' | 'keep', path: string, paint?: ApplyOptions['paint']): string {
  const word = status.padStart(12);
  return `${paint ? paint(status, word) : word}  ${path}`;
}

/**
 * Compares each planned file with what is on disk (`create`, `identical`, `exist`, `conflict`), then
 * writes. Conflicts stop everything before a single file is written, unless `force` (overwrite them)
 * or `skip` (keep them). A write that fails midway removes what this run created.
 */
export function applyPlan(root: string, files: PlannedFile[], options: ApplyOptions = {}): Outcome[] {
  const log = options.log ?? ((line: string) => console.log(line));
  const outcomes: Outcome[] = files.map((f) => {
    const abs = resolve(root, f.path);
    if (!existsSync(abs)) return { path: f.path, status: 'create' };
    if (statSync(abs).isDirectory()) return { path: f.path, status: 'conflict', diff: `${f.path} is a directory.` };
    if (f.unlessExists) return { path: f.path, status: 'exist' };
    const current = readFileSync(abs, 'utf8');
    if (current === f.content) return { path: f.path, status: 'identical' };
    return { path: f.path, status: 'conflict', diff: unifiedDiff(current, f.content, `${f.path} (existing)`, `${f.path} (generated)`) };
  });
  const conflicts = outcomes.filter((o) => o.status === 'conflict');
  if (conflicts.length && !options.force && !options.skip) {
    for (const o of outcomes) {
      if (o.status === 'create') continue;
      log(statusLine(o.status, o.path, options.paint));
      if (o.diff) log(o.diff);
    }
    const list = conflicts.map((c) => c.path).join(', ');
    const one = conflicts.length === 1;
    throw GeneratorErrors.CONFLICT(list, one ? 's' : '', one ? 's' : '');
  }
  for (const o of conflicts) o.status = options.force ? 'force' : 'skip';

  const created: string[] = [];
  const madeDirs: string[] = [];
  let current = '';
  try {
    files.forEach((f, i) => {
      const o = outcomes[i]!;
      current = f.path;
      log(statusLine(o.status, o.path, options.paint));
      if (o.status === 'skip' && o.diff) log(o.diff);
      if (options.dryRun || (o.status !== 'create' && o.status !== 'force')) return;
      const abs = resolve(root, f.path);
      let dir = dirname(abs);
      const missing: string[] = [];
      while (!existsSync(dir)) {
        missing.unshift(dir);
        dir = dirname(dir);
      }
      mkdirSync(dirname(abs), { recursive: true });
      madeDirs.push(...missing);
      writeFileSync(abs, f.content);
      if (o.status === 'create') created.push(abs);
    });
  } catch (err) {
    for (const f of created) rmSync(f, { force: true });
    for (const d of madeDirs.reverse()) {
      try {
        rmdirSync(d);
      } catch {
        /* not empty: keep */
      }
    }
    if (err instanceof StrykeError) throw err;
    throw GeneratorErrors.WRITE_FAILED(current, (err as Error).message);
  }
  return outcomes;
}
