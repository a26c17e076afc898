import { defineError } from '../support';

export const DbErrors = {
  // Defined in the model layer first; the code is stable.
  UNSUPPORTED_ADAPTER: defineError('STRYKE_E_ORM_UNSUPPORTED_ADAPTER', 'Unknown database adapter "%s" in config/database.toml or DATABASE_URL: use sqlite, postgres or mysql.'),
  ACQUIRE_TIMEOUT: defineError('STRYKE_E_DB_ACQUIRE_TIMEOUT', 'No connection of the %s pool came free within %s ms (acquire_timeout in config/database.toml): every one is busy or the server does not answer.', 503),
  CLOSED: defineError('STRYKE_E_DB_CLOSED', 'The database connection was closed: the app is shutting down.', 503),
  NO_SCHEMA_SOURCE: defineError('STRYKE_E_DB_NO_SCHEMA_SOURCE', 'db.dataSource is open only after `await typeorm(db)` (stryke/migrations) or a migration command opened TypeORM on this database.'),
};
