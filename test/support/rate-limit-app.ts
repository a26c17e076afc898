import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from 'stryke';

/**
 * Boots test/boot-fixtures/rate-limits with this config/server.toml: the compiled controllers are the
 * fixture's, the root (config) a fresh temporary folder, so each test chooses its own limits.
 */
export function bootRateLimitApp(serverToml: string, env = 'test'): Promise<App> {
  const root = mkdtempSync(join(tmpdir(), 'stryke-rate-limits-'));
  mkdirSync(join(root, 'config'));
  writeFileSync(join(root, 'config', 'server.toml'), serverToml);
  const buildDir = join(__dirname, '..', 'boot-fixtures', 'rate-limits');
  return createApp({ root, buildDir, env, database: { adapter: 'sqlite', database: join(root, 'db.sqlite3') } });
}
