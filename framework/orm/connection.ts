/**
 * The app's database as the model layer sees it: framework/db's `SqlDatabase` (connections, statements,
 * transactions) with the dialect the models write their SQL and convert their values in.
 */
import { SqlDatabase, type DatabaseConfig } from '../db';
import { dialectFor, type Dialect } from './dialect';

export {
  databaseConfig, normalizeAdapter, parseDatabaseUrl, sqlitePath, transactionHooks, transactionStore,
  type ColumnLayout, type DatabaseConfig, type QueryOutcome, type SqlConnection, type TransactionScope,
} from '../db';

export class Database extends SqlDatabase {
  readonly dialect: Dialect;

  constructor(config: DatabaseConfig, root: string) {
    super(config, root);
    this.dialect = dialectFor(config.adapter);
  }
}
