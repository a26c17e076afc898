/**
 * The database layer's framework-only surface for processes that open no connection: reading the database
 * config (`stryke start`'s primary checks a SQLite file exists) without loading the pools and drivers' code
 * that db/index.ts brings. Not a package subpath; see docs/architecture.md, "Concerns and their surfaces".
 */
export { databaseConfig, sqlitePath } from './config';
