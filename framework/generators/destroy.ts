import { existsSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { renderSchematics, statusLine, type ApplyOptions } from './engine';
import { GeneratorErrors } from './errors';
import { generatorDef } from './generate';

/** What `stryke destroy` did with one file the generator writes. */
export interface Removal {
  path: string;
  /** `remove`: deleted; `missing`: not there; `keep`: shared with other code (ApplicationModel...), left alone. */
  status: 'remove' | 'missing' | 'keep';
}

/** Folders of the app's skeleton: never removed, even when empty. */
const SKELETON = new Set([
  'app', 'app/controllers', 'app/models', 'app/views', 'app/views/layouts', 'app/jobs', 'app/mailers', 'app/channels',
  'app/middleware', 'config', 'db', 'db/migrations', 'public', 'test',
]);

export interface DestroyOptions extends Pick<ApplyOptions, 'dryRun' | 'log' | 'paint'> {
  root: string;
}

/**
 * `stryke destroy <generator> <Name>`: renders the generator's plan as `generate` would (the same paths,
 * the migration under its existing version, a controller's actions read from its file when none are
 * given) and removes those files, then the folders that held only them. Files the generator shares with
 * other code (`unless_exists` templates such as application_model.ts) are kept.
 */
export function destroy(generator: string, name: string | undefined, args: string[], options: DestroyOptions): { files: Removal[]; notes: string[] } {
  const def = generatorDef(generator);
  if (def.nameless) args = name ? [name, ...args] : args;
  else if (!name) throw GeneratorErrors.MISSING_NAME(generator, def.example.replace(/^stryke generate /, ''));
  const { schematics, locals } = def.prepare(name ?? '', args, options.root, 'destroy');
  const planned = renderSchematics(schematics, locals);
  const log = options.log ?? ((line: string) => console.log(line));
  const removals: Removal[] = planned.map((f) => {
    const abs = resolve(options.root, f.path);
    if (f.unlessExists) return { path: f.path, status: 'keep' };
    if (!existsSync(abs) || statSync(abs).isDirectory()) return { path: f.path, status: 'missing' };
    return { path: f.path, status: 'remove' };
  });
  const dirs = new Set<string>();
  for (const r of removals) {
    log(statusLine(r.status, r.path, options.paint));
    if (r.status !== 'remove' || options.dryRun) continue;
    rmSync(resolve(options.root, r.path));
    for (let d = dirname(r.path); d !== '.' && !SKELETON.has(d); d = dirname(d)) dirs.add(d);
    // Its compiled output too: the app loads every module under build/app, so a stale one would still run.
    if (r.path.endsWith('.ts')) {
      const stem = join(options.root, 'build', r.path.slice(0, -3));
      for (const ext of ['.js', '.js.map', '.d.ts']) rmSync(stem + ext, { force: true });
      for (let d = dirname(join('build', r.path)); !SKELETON.has(d.slice('build/'.length)) && d !== 'build'; d = dirname(d)) dirs.add(d);
    }
  }
  // Deepest first, so a folder emptied by removing its subfolder goes too.
  for (const d of [...dirs].sort((a, b) => b.split('/').length - a.split('/').length)) {
    const abs = join(options.root, d);
    if (existsSync(abs) && readdirSync(abs).length === 0) {
      rmdirSync(abs);
      if (!d.startsWith('build/')) log(statusLine('remove', `${d}/`, options.paint));
    }
  }
  const notes: string[] = [];
  if (removals.some((r) => r.status === 'remove' && r.path.startsWith('db/migrations/'))) {
    notes.push('a migration was removed: if it had been applied, its changes stay in the database (roll back first with `stryke db rollback`, or write a migration that undoes them).');
  }
  if (!removals.some((r) => r.status === 'remove')) notes.push(`nothing to remove: no file of \`generate ${generator}${name ? ` ${name}` : ''}\` is there.`);
  for (const n of notes) log(statusLine('note', n, options.paint));
  return { files: removals, notes };
}
