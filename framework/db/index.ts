/**
 * stryke's database layer: the connections (better-sqlite3, pg and mysql2 through their public APIs), the
 * statement caches, and the transaction scope. The model layer and the SQL job queue run on it; TypeORM
 * is loaded only by the schema commands (framework/migrations).
 */
export { SqlDatabase, transactionStore, transactionHooks, type SqlConnection, type TransactionScope } from './database';
export { databaseConfig, parseDatabaseUrl, normalizeAdapter, sqlitePath, timeoutsOf, type Adapter, type DatabaseConfig, type Timeouts } from './config';
export { STATEMENT_CACHE_LIMIT, type ColumnLayout, type QueryOutcome } from './outcome';
export { DbErrors } from './errors';
export { createMysqlPool, mysqlOutcome, type MysqlConnection, type MysqlRunner } from './mysql';
export { openSqlite, openSideSqlite, closeSqlite, type SqliteHandle, type SqliteShared } from './sqlite';
