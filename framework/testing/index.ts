import { resolve } from 'node:path';
import { createApp, type App, type CreateAppOptions } from '../app/create-app';
import { loadConfig } from '../config/load';
import { createDatabase } from '../migrations/admin';
import { Migrator } from '../migrations/runner';
import { databaseConfig, type DatabaseConfig } from '../orm/connection';
import { metaOf } from '../orm/meta';
import { registry } from '../registry';
import { buildDirOf } from '../app/loader';
import { TestClient } from './client';

export { TestClient, type TestResponse, type RequestOptions } from './client';
export { connectChannel, ChannelTestSocket, type ChannelConnectOptions, type ChannelFrame } from './channel';

export interface TestApp extends App {
  /** A fresh browser-like client (own cookies). */
  client(): TestClient;
  /** Empties every model's table, so each test starts from a clean database. */
  reset(): Promise<void>;
}

/**
 * Boots an app in-process against its test database (config/database.toml's `[test]` section, or
 * `database`), creating and migrating that database first. Send requests with `app.client()`; call
 * `app.reset()` between tests to isolate them, and `app.close()` at the end.
 * @example
 * const app = await createTestApp({ root: 'sample-app' });
 * const res = await app.client().get('/posts');
 */
export async function createTestApp(options: Partial<CreateAppOptions> & { root: string }): Promise<TestApp> {
  const root = resolve(options.root);
  const env = options.env ?? 'test';
  const dbConfig: DatabaseConfig = options.database ?? databaseConfig(loadConfig(root, env).database);
  await createDatabase(dbConfig, root);
  const app = await createApp({ ...options, root, env, database: dbConfig });
  await new Migrator(app.db, root).migrate();
  const build = options.buildDir ? resolve(options.buildDir) : buildDirOf(root);
  const tables = registry.within(registry.models, build).map((d) => metaOf(d.target));
  return Object.assign(app, {
    client: () => new TestClient(app.server),
    async reset() {
      const { dialect } = app.db;
      const qr = app.db.dataSource.createQueryRunner(); // one connection, so session settings hold
      try {
        if (dialect.adapter === 'mysql') await app.db.run('SET FOREIGN_KEY_CHECKS = 0', [], qr);
        if (dialect.adapter === 'sqlite') await app.db.run('PRAGMA foreign_keys = OFF', [], qr);
        for (const meta of tables) {
          if (dialect.adapter === 'postgres') await app.db.run(`TRUNCATE ${meta.qtable} RESTART IDENTITY CASCADE`, [], qr);
          else if (dialect.adapter === 'mysql') await app.db.run(`TRUNCATE ${meta.qtable}`, [], qr);
          else await app.db.run(`DELETE FROM ${meta.qtable}`, [], qr);
        }
      } finally {
        if (dialect.adapter === 'mysql') await app.db.run('SET FOREIGN_KEY_CHECKS = 1', [], qr);
        if (dialect.adapter === 'sqlite') await app.db.run('PRAGMA foreign_keys = ON', [], qr);
        await qr.release();
      }
    },
  });
}
