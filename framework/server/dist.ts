import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { buildAssets } from '../assets';
import { AssetErrors } from '../assets';
import { MANIFEST_FILE } from '../assets';
import { bundleSource, compileSources, PRECOMPILED_FILE, readSources } from '../views/internal';

import { BUILD_INFO_FILE } from './dist-info';

export { BUILD_INFO_FILE, isDist } from './dist-info';

/** Folders of dist/ a rebuild keeps: the production SQLite database, installed packages, runtime files. */
export const KEEP: ReadonlySet<string> = new Set(['db', 'node_modules', 'tmp', 'log', 'storage']);

export interface DistResult {
  out: string;
  files: { name: string; path: string; size: number; br?: number; gzip?: number }[];
  templates: number;
  routes: number;
}

/**
 * Assembles `dist/` from an app whose TypeScript is compiled (build/): the compiled JavaScript
 * (`dist/build`, no declarations), the views precompiled into one module, `public/` fingerprinted and
 * precompressed with its manifest, config/ (without the master key), the route manifest and
 * package.json. dist/ is an app root of its own: `stryke start --root dist` boots it with no TypeScript,
 * no sources and no compiler.
 */
/** The parts of a build, in order; a caller may wrap each (the CLI reports them as progress steps). */
export type DistStage = 'code' | 'views' | 'assets' | 'config' | 'routes';
export type StageRunner = <T>(stage: DistStage, fn: () => T) => T;

export function buildDist(root: string, out = join(root, 'dist'), bin?: string, stage: StageRunner = (_s, fn) => fn()): DistResult {
  if (existsSync(out)) for (const name of readdirSync(out)) if (!KEEP.has(name)) rmSync(join(out, name), { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  // 1. Compiled JavaScript.
  const build = join(root, 'build');
  stage('code', () => {
    if (existsSync(build)) {
      cpSync(build, join(out, 'build'), {
        recursive: true,
        filter: (src) => !/\.d\.ts$|\.tsbuildinfo$|(^|[\\/])test-output([\\/]|$)/.test(relative(build, src)),
      });
    }
  });

  // 2. Views, precompiled.
  const compiled = stage('views', () => {
    const views = compileSources(Handlebars.create(), readSources(join(root, 'app', 'views')));
    mkdirSync(join(out, 'build'), { recursive: true });
    writeFileSync(join(out, 'build', PRECOMPILED_FILE), bundleSource(views));
    return views;
  });

  // 3. Assets.
  const files = stage('assets', (): DistResult['files'] => {
    const publicDir = join(root, 'public');
    if (existsSync(publicDir)) {
      const result = buildAssets(publicDir, join(out, 'public'));
      writeFileSync(join(out, MANIFEST_FILE), `${JSON.stringify(result.manifest, null, 2)}\n`);
      return result.report;
    }
    writeFileSync(join(out, MANIFEST_FILE), `${JSON.stringify({ version: 1, files: {} }, null, 2)}\n`);
    return [];
  });

  // 4. Config (the master key stays out: production reads STRYKE_MASTER_KEY) and package.json.
  stage('config', () => {
    if (existsSync(join(root, 'config'))) {
      cpSync(join(root, 'config'), join(out, 'config'), { recursive: true, filter: (src) => !/master\.key$|\.ts$/.test(src) });
    }
    if (existsSync(join(root, 'package.json'))) cpSync(join(root, 'package.json'), join(out, 'package.json'));
    mkdirSync(join(out, 'db'), { recursive: true });
  });

  // 5. The route manifest, as `stryke routes --json` prints it.
  const routes = stage('routes', () => {
    let table: unknown[] = [];
    if (bin) {
      const res = spawnSync(process.execPath, [bin, 'routes', '--json', '--root', root], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      if (res.status !== 0) throw AssetErrors.BUILD_FAILED(`the route table could not be read:\n${res.stderr || res.stdout}`);
      table = JSON.parse(res.stdout) as unknown[];
    }
    writeFileSync(join(out, 'routes.json'), `${JSON.stringify(table, null, 2)}\n`);
    return table;
  });

  const info = {
    builtAt: new Date().toISOString(),
    node: process.version,
    templates: Object.keys(compiled.templates).length + Object.keys(compiled.partials).length,
    assets: files.length,
    routes: routes.length,
  };
  writeFileSync(join(out, BUILD_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
  return { out, files, templates: info.templates, routes: info.routes };
}
