import { dbCommandsSuite } from './db-commands-suite';

// The db commands on PostgreSQL (skipped with a line when the server is not reachable); SQLite's are in db.test.ts.
dbCommandsSuite('postgres');
