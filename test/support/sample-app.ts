import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from 'stryke/testing';

export const SAMPLE_APP = join(__dirname, '..', '..', '..', 'sample-app');

/** The sample app, booted in-process on its own temporary SQLite database. */
export async function bootSampleApp(): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-sample-'));
  return createTestApp({ root: SAMPLE_APP, database: { adapter: 'sqlite', database: join(dir, 'test.sqlite3') } });
}

/**
 * A private copy of the sample app (its compiled build/ included, its tsconfig.json left out so the CLI
 * does not recompile it), linked to this checkout: CLI tests that migrate, dump the schema or build work on
 * it, so concurrent test files never write into sample-app/ itself.
 */
export function copySampleApp(): string {
  const { cpSync, mkdirSync, symlinkSync } = require('node:fs') as typeof import('node:fs');
  const root = join(mkdtempSync(join(tmpdir(), 'stryke-sample-copy-')), 'sample-app');
  const skip = new Set(['node_modules', 'dist', 'tmp', 'log', 'tsconfig.json']);
  cpSync(SAMPLE_APP, root, {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(SAMPLE_APP.length + 1);
      return !skip.has(rel.split('/')[0]!) && !/\.sqlite3/.test(rel);
    },
  });
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(join(SAMPLE_APP, '..'), join(root, 'node_modules', 'stryke'), 'dir');
  return root;
}
