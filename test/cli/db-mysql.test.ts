import { dbCommandsSuite } from './db-commands-suite';

// The db commands on MySQL/MariaDB (skipped with a line when the server is not reachable); SQLite's are in db.test.ts.
dbCommandsSuite('mysql');
