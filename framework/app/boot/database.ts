import type { ConfigTree } from '../../config';
import type { AppContainer } from '../../di/internal';
import { Database, databaseConfig, type DatabaseConfig } from '../../orm';
import { bindModels } from '../../orm/internal';
import type { ModelDecl } from '../../registry';

/** Boot step: opens the app's database (CreateAppOptions.database, else config/database.toml and DATABASE_URL). */
export async function connectDatabase(root: string, config: ConfigTree, override?: DatabaseConfig): Promise<{ db: Database; dbConfig: DatabaseConfig }> {
  const dbConfig = override ?? databaseConfig(config.database);
  return { db: await Database.connect(dbConfig, root), dbConfig };
}

/** Boot step: gives the container the config and the database, and binds the app's models to that database. */
export function installModels(container: AppContainer, config: ConfigTree, db: Database, models: ModelDecl[], env: string): void {
  container.provide('config', config);
  container.provide(Database, db);
  bindModels(models, db, { env });
}
