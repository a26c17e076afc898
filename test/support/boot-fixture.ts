import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from 'stryke';

/**
 * Boots one of test/boot-fixtures/<name>: its TypeScript compiles with the test project, so its code
 * lives under build/test/boot-fixtures/<name> while its sources (config, views) stay in test/.
 */
export function bootFixture(name: string, env = 'test'): Promise<App> {
  const source = join(__dirname, '..', '..', '..', 'test', 'boot-fixtures', name);
  const buildDir = join(__dirname, '..', 'boot-fixtures', name);
  const dir = mkdtempSync(join(tmpdir(), `stryke-${name}-`));
  return createApp({ root: source, buildDir, env, database: { adapter: 'sqlite', database: join(dir, 'db.sqlite3') } });
}
