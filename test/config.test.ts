import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from 'stryke';

function appWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'stryke-config-'));
  mkdirSync(join(root, 'config'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'config', name), text);
  return root;
}

describe('config/*.toml', () => {
  const root = appWith({
    'database.toml': 'adapter = "sqlite"\npool = 5\n[development]\ndatabase = "db/dev.sqlite3"\n[production]\nadapter = "postgres"\ndatabase = "${DB_NAME:-app_prod}"\nhost = "${DB_HOST}"\n',
    'server.toml': '[server]\nport = 3000\n[server.production]\nport = 8080\n',
  });

  it('folds the environment section over the base, and drops other environments', () => {
    const dev = loadConfig(root, 'development', {});
    assert.deepEqual(dev.database, { adapter: 'sqlite', pool: 5, database: 'db/dev.sqlite3' });
    assert.equal(dev.server.port, 3000);
    assert.equal(dev.env, 'development');
  });

  it('interpolates ${ENV} with defaults, only for the selected environment', () => {
    const prod = loadConfig(root, 'production', { DB_HOST: 'db.internal' });
    assert.deepEqual(prod.database, { adapter: 'postgres', pool: 5, database: 'app_prod', host: 'db.internal' });
    assert.equal(prod.server.port, 8080, '[server.production] nests under the file name too');
  });

  it('fails clearly when a referenced variable is missing', () => {
    assert.throws(() => loadConfig(root, 'production', {}), (err: any) => {
      assert.equal(err.code, 'STRYKE_E_CONFIG_MISSING_ENV');
      assert.match(err.message, /DB_HOST/);
      return true;
    });
  });

  it('lets environment variables override any key', () => {
    const c = loadConfig(root, 'development', { STRYKE_SERVER__PORT: '4000', STRYKE_DATABASE__ADAPTER: 'mysql' });
    assert.equal(c.server.port, 4000);
    assert.equal(c.database.adapter, 'mysql');
  });

  it('names the file of a TOML syntax error', () => {
    const bad = appWith({ 'server.toml': 'port = = 3' });
    assert.throws(() => loadConfig(bad, 'development', {}), (err: any) => err.code === 'STRYKE_E_CONFIG_PARSE' && /server\.toml/.test(err.message));
  });
});
