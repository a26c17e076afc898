import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { framework, frameworkCode } from '../support/framework-sources';

/**
 * The database layer uses its libraries through their public APIs only, so a TypeORM, pg, mysql2 or
 * better-sqlite3 release cannot break it by renaming an internal. Read from the TypeScript sources:
 *
 * - TypeORM is the schema engine of framework/migrations (and the opt-in `typeorm(db)` accessor there):
 *   nothing else in framework/ imports or requires it, so serving a request never loads it.
 * - No file under framework/ names a field these libraries keep private: pg's `_queryable`, `_ending`,
 *   `_result(s)`, `_types`, `_connecting`, `_clients`, `_idle`, `_pendingQueue`; mysql2's `_freeConnections`,
 *   `_allConnections`, `_connectionQueue`; TypeORM's drivers' `databaseConnection`, `master`, `postgres`,
 *   `pool`, `mysql`, `sqlite`, and its query runners' `loadedTables`.
 * - In the database concerns (framework/db, orm, jobs/sql, migrations), no access to an underscore-prefixed
 *   member at all (the convention for "private" in these libraries; stryke's own code there has none), and no
 *   `as unknown as { ... }` cast of a driver, pool, client, connection or query runner: the way a private
 *   field gets read past the type checker.
 */


const files = frameworkCode();
const DB_CONCERNS = /^framework\/(db|orm|jobs\/sql|migrations)\//;

const TYPEORM = /(from\s+|require\(\s*|import\(\s*)['"]typeorm(\/[^'"]*)?['"]/;
const PRIVATE_FIELDS = /\.(_queryable|_ending|_results?|_types|_connecting|_clients|_idle|_pendingQueue|_freeConnections|_allConnections|_connectionQueue|loadedTables)\b|\bdriver\b(\s+as\s+[^)]*\))?\??\.(databaseConnection|master|postgres|pool|mysql|sqlite)\b|\.databaseConnection\b/;
const UNDERSCORE_MEMBER = /\.\s*_[A-Za-z]\w*|\[\s*['"`]_[A-Za-z]\w*['"`]\s*\]/;
const DRIVER_CAST = /\(\s*[\w.]*(driver|pool|client|conn|connection|runner|qr|dataSource|ds)\w*\s+as\s+unknown\s+as\s+\{/i;

function offenders(pattern: RegExp, scope: (rel: string) => boolean): string[] {
  const found: string[] = [];
  for (const f of files) {
    if (!scope(f.rel)) continue;
    f.text.split('\n').forEach((line, i) => {
      if (pattern.test(line)) found.push(`${f.rel}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe('the database layer uses its libraries\' public APIs only', () => {
  it('reads the framework sources', () => {
    assert.ok(files.length > 100, `only ${files.length} files under ${framework}`);
    assert.ok(files.some((f) => f.rel === 'framework/db/database.ts'));
  });

  it('imports TypeORM only in framework/migrations', () => {
    assert.deepEqual(offenders(TYPEORM, (rel) => !rel.startsWith('framework/migrations/')), []);
    // The rule sees the imports that are there.
    assert.ok(offenders(TYPEORM, (rel) => rel.startsWith('framework/migrations/')).length > 0);
  });

  it('names no private field of pg, mysql2, better-sqlite3 or TypeORM anywhere in framework/', () => {
    assert.deepEqual(offenders(PRIVATE_FIELDS, () => true), []);
  });

  it('reaches no underscore member and casts no driver object to a shape of its own in the database concerns', () => {
    assert.deepEqual(offenders(UNDERSCORE_MEMBER, (rel) => DB_CONCERNS.test(rel)), []);
    assert.deepEqual(offenders(DRIVER_CAST, (rel) => DB_CONCERNS.test(rel)), []);
  });

  it('the rules catch what they are for', () => {
    for (const line of [
      "import { DataSource } from 'typeorm/data-source/DataSource';",
      "const { Table } = require('typeorm');",
    ]) assert.match(line, TYPEORM);
    for (const line of [
      'if (client._queryable === false) return;',
      'const conn = this.dataSource.driver.databaseConnection;',
      'const pool = (ds.driver as any).master;',
      'self._result = new TextResult();',
      '(qr as any).loadedTables = [];',
    ]) assert.match(line, PRIVATE_FIELDS);
    assert.match("pool['_freeConnections'].length", UNDERSCORE_MEMBER);
    assert.match('(conn as unknown as { query(sql: string): void }).query(sql)', DRIVER_CAST);
    assert.doesNotMatch('const sqlite = this.sqlite;', PRIVATE_FIELDS);
  });
});
