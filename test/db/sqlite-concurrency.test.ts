import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { createTestApp } from 'stryke/testing';

/**
 * Two processes on one SQLite file, each running model transactions that read rows and then update and
 * delete them (as two workers of `stryke start` do): none fails SQLITE_BUSY. A model transaction begins
 * IMMEDIATE, taking the write lock up front (waiting for the other's, up to busy_timeout), instead of
 * beginning deferred and failing at once when it upgrades a read lock another writer has outrun.
 */

const root = resolve(__dirname, '../../../test/fixtures/blog');
const dir = mkdtempSync(join(tmpdir(), 'stryke-sqlite-conc-'));
process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
after(() => rmSync(dir, { recursive: true, force: true }));

const ROUNDS = 150;

function child(file: string): { proc: ChildProcess; line: () => Promise<string> } {
  const proc = spawn(process.execPath, [join(__dirname, 'sqlite-writer-child.js'), root, file, String(ROUNDS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  return { proc, line: async () => String((await lines.next()).value ?? '') };
}

describe('SQLite with two processes writing in model transactions', () => {
  it('reads then updates and deletes the same rows from both: no SQLITE_BUSY, every write counted once', async () => {
    const file = join(dir, 'shared.sqlite3');
    const app = await createTestApp({ root, database: { adapter: 'sqlite', database: file } });
    try {
      const { User } = require(join(root, 'build', 'app', 'models', 'user.js'));
      await app.db.transaction(async () => {
        for (let i = 0; i < 3; i++) await User.create({ email: `s${i}@example.com`, name: 'shared', score: 0 });
        for (let i = 0; i < 2 * ROUNDS; i++) await User.create({ email: `v${i}@example.com`, name: 'victim' });
      });
      const a = child(file);
      const b = child(file);
      assert.equal(await a.line(), 'ready');
      assert.equal(await b.line(), 'ready');
      a.proc.stdin!.write('go\n');
      b.proc.stdin!.write('go\n');
      const results = [JSON.parse(await a.line()), JSON.parse(await b.line())] as { errors: string[]; deleted: number; updated: number; fatal?: string }[];
      for (const r of results) {
        assert.equal(r.fatal, undefined);
        assert.deepEqual(r.errors, []);
      }
      // Every round of both deleted one victim and bumped each shared row once.
      assert.equal(results[0]!.deleted + results[1]!.deleted, 2 * ROUNDS);
      assert.equal((await app.db.select("SELECT count(*) AS n FROM users WHERE name = 'victim'"))[0]!.n, 0);
      const scores = (await app.db.select("SELECT score FROM users WHERE name = 'shared' ORDER BY id")).map((r) => Number(r.score));
      assert.deepEqual(scores, [2 * ROUNDS, 2 * ROUNDS, 2 * ROUNDS]);
    } finally {
      await app.close();
    }
  });
});

describe('SQLite durability settings', () => {
  it('a new database file and a reopened one both run WAL with synchronous = NORMAL, on the app\'s connection (the SQL job queue\'s too: it shares it)', async () => {
    const file = join(dir, 'fresh.sqlite3');
    for (const round of ['new file', 'reopened']) {
      const app = await createTestApp({ root, database: { adapter: 'sqlite', database: file } });
      try {
        // Asked on the app's own connection, before and after a write (a connection that switched a new file
        // to WAL used to report FULL until its first transaction).
        assert.equal(String((await app.db.select('PRAGMA journal_mode'))[0]!.journal_mode), 'wal', round);
        assert.equal(Number((await app.db.select('PRAGMA synchronous'))[0]!.synchronous), 1, `${round}: 1 is NORMAL`);
        const { User } = require(join(root, 'build', 'app', 'models', 'user.js'));
        await User.create({ email: `d${round.replace(' ', '')}@example.com`, name: 'durable' });
        assert.equal(Number((await app.db.select('PRAGMA synchronous'))[0]!.synchronous), 1, round);
      } finally {
        await app.close();
      }
    }
  });
});
