import { resolve } from 'node:path';
import { createApp, type App, type CreateAppOptions } from '../app';
import { loadConfig } from '../config';
import { createDatabase } from '../migrations';
import { Migrator } from '../migrations';
import { databaseConfig, type DatabaseConfig } from '../orm';
import { metaOf } from '../orm/internal';
import { registry } from '../registry';
import { buildDirOf } from '../app';
import { TestClient } from './client';
import { clearDeliveries } from './mail';

export { TestClient, multipartBody, type TestResponse, type RequestOptions, type MultipartFile } from './client';
export {
  deliveries, clearDeliveries, assertDelivered, assertNotDelivered, enqueuedDeliveries, deliverEnqueuedMail, type Delivered, type DeliveryMatch,
  type EnqueuedDelivery,
} from './mail';
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
      clearDeliveries();
      const { dialect } = app.db;
      await app.db.withConnection(async (qr) => { // one connection, so session settings hold
       try {
        if (dialect.adapter === 'mysql') await app.db.run('SET FOREIGN_KEY_CHECKS = 0', [], qr);
        if (dialect.adapter === 'sqlite') await app.db.run('PRAGMA foreign_keys = OFF', [], qr);
        // With attachments declared, the storage tables (framework/storage) are the app's too.
        const storage = tables.some((m) => m.decl.attachments?.length) ? ['storage_attachments', 'storage_blobs'].map((t) => dialect.quote(t)) : [];
        for (const qtable of [...tables.map((m) => m.qtable), ...storage]) {
          if (dialect.adapter === 'postgres') await app.db.run(`TRUNCATE ${qtable} RESTART IDENTITY CASCADE`, [], qr);
          else if (dialect.adapter === 'mysql') await app.db.run(`TRUNCATE ${qtable}`, [], qr);
          else await app.db.run(`DELETE FROM ${qtable}`, [], qr);
        }
      } finally {
        if (dialect.adapter === 'mysql') await app.db.run('SET FOREIGN_KEY_CHECKS = 1', [], qr);
        if (dialect.adapter === 'sqlite') await app.db.run('PRAGMA foreign_keys = ON', [], qr);
       }
      });
    },
  });
}
