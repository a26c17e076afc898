/**
 * A benchmark app as users run it in production: copied into a temporary folder linked to this checkout (as
 * `stryke new` links one), compiled and assembled by `stryke build`, then served by `stryke start --workers 1`
 * from that build with the app's own config and the default logger, STRYKE_ENV=production.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO } from './support';

export const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'node16', moduleResolution: 'node16', lib: ['ES2023'], types: ['node'],
    typeRoots: ['./node_modules/@types', './node_modules/stryke/node_modules/@types'], strict: true,
    experimentalDecorators: true, emitDecoratorMetadata: true, useDefineForClassFields: false, skipLibCheck: true,
    rootDir: '.', outDir: 'build', incremental: true, tsBuildInfoFile: 'build/.tsbuildinfo',
  },
  include: ['app/**/*.ts', 'config/**/*.ts', 'db/**/*.ts'],
};

/** Copies the app at `source` (a folder of this repository), builds it with `stryke build`, returns the app root. */
export function buildForProduction(source: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = join(mkdtempSync(join(tmpdir(), 'stryke-bench-prod-')), 'app');
  // The app's controllers that answer the measured routes (the streaming benchmark's controller stays out).
  cpSync(source, root, { recursive: true, filter: (src) => !/stream_controller/.test(src) });
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench-app', private: true }, null, 2));
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  symlinkSync(REPO, join(root, 'node_modules', 'stryke'), 'dir');
  const res = spawnSync(process.execPath, [BIN, 'build', '--root', root, '--quiet'], { env: { ...env, STRYKE_ENV: 'production' }, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`stryke build failed: ${res.stderr}${res.stdout}`);
  return root;
}

/** The command line of `stryke start --workers 1` for a built app, on `port`. */
export function startArgs(root: string, port: number): string[] {
  return [BIN, 'start', '--root', root, '--workers', '1', '--port', String(port), '--host', '127.0.0.1', '--env', 'production'];
}
