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
