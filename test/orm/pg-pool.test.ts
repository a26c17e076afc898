import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { createDatabase, dropDatabase } from 'stryke/migrations';
import { Database } from 'stryke/orm';
import { createTestApp, type TestApp } from 'stryke/testing';
import { databaseTargets } from '../support/databases';
import type { User as UserModel } from '../fixtures/blog/build/app/models/user';

/**
 * PostgreSQL statements run on stryke's own pool of node-postgres clients (framework/db/pg-pool.ts): under
 * concurrency, with errors, with transactions beside them, with a backend terminated under them, with callers
 * waiting for a client, and with databases opened and closed many times, nothing is lost or leaked.
 */

const root = resolve(__dirname, '../../../test/fixtures/blog');
const dir = mkdtempSync(join(tmpdir(), 'stryke-pg-lease-'));
process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
after(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PostgreSQL pool', async () => {
  const target = (await databaseTargets('pgpool', dir)).find((t) => t.name === 'postgres')!;
  describe('postgres', { skip: target.skip }, () => {
    let app: TestApp;
    let User: typeof UserModel;
    let admin: Client;
    const connections = async (database = target.config.database) =>
      Number((await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [database])).rows[0].n);

    before(async () => {
      app = await createTestApp({ root, database: target.config });
      User = require(join(root, 'build', 'app', 'models', 'user.js')).User;
      admin = new Client({ host: target.config.host, port: target.config.port, user: target.config.username, database: 'postgres' });
      await admin.connect();
      await app.reset();
    });

    after(async () => {
      await admin?.end();
      await app?.close();
      await dropDatabase(target.config, root);
    });

    const user = (attrs: Record<string, unknown> = {}) =>
      User.create({ email: `u${Math.random().toString(36).slice(2)}@example.com`, name: 'Ann', ...attrs });

    it('many concurrent reads and writes each get their own answer, on at most the pool\'s clients', async () => {
      const users = await Promise.all(Array.from({ length: 40 }, (_, i) => user({ name: `N${i}`, age: i + 1 })));
      const reads = await Promise.all(Array.from({ length: 400 }, (_, i) => {
        const u = users[i % users.length]!;
        switch (i % 4) {
          case 0: return User.find(u.id).then((r) => r.name);
          case 1: return User.where({ age: u.age }).then((rs) => rs.map((r) => r.name).join());
          case 2: return app.db.select('SELECT name FROM users WHERE id = $1', [u.id]).then((rs) => rs[0]!.name);
          default: return User.where({ id: u.id }).pluck('name').then((ns) => ns.join());
        }
      }));
      reads.forEach((name, i) => assert.equal(name, `N${i % users.length}`));
      const stats = app.db.poolStats();
      assert.ok(stats.total! >= 1 && stats.total! <= 10, `total ${stats.total}`);
      assert.equal(stats.waiting, 0);
      assert.equal(stats.in_use, 0);
      // The pool keeps serving transactions meanwhile.
      const results = await Promise.all([
        ...Array.from({ length: 8 }, (_, i) => User.transaction(async () => (await user({ name: `T${i}` })).name)),
        ...Array.from({ length: 100 }, () => User.count()),
      ]);
      assert.deepEqual(results.slice(0, 8), Array.from({ length: 8 }, (_, i) => `T${i}`));
      assert.ok(results.slice(8).every((n) => (n as number) >= 40 && (n as number) <= 48));
      assert.equal(await User.count(), 48);
    });

    it('a statement error reaches the caller as before, and the connection goes on serving', async () => {
      await User.count();
      const held = app.db.poolStats().total;
      await assert.rejects(app.db.select('SELECT * FROM no_such_table'), (err: { code?: string }) => err.code === '42P01');
      await assert.rejects(app.db.select('SELEC 1'), (err: { code?: string }) => err.code === '42601');
      await assert.rejects(User.find(987654321), (err: { code?: string }) => err.code === 'STRYKE_E_ORM_RECORD_NOT_FOUND');
      const u = await user();
      await assert.rejects(app.db.run('INSERT INTO users (id, email, name) VALUES ($1, $2, $3)', [u.id, 'x@example.com', 'X']), (err: { code?: string }) => err.code === '23502');
      await assert.rejects(app.db.select('SELECT 1/0 AS x'), (err: { code?: string }) => err.code === '22012');
      // Statement errors leave their connections open and pooled.
      assert.equal(app.db.poolStats().total, held);
      assert.equal((await User.find(u.id)).id, u.id);
    });

    it('model reads (prepared statements read as text): values of each kind bound, the server\'s error fields, a column retyped under them', async () => {
      const u = await user({ name: 'Retyped', age: 41, active: false, birthday: '1990-02-03', settings: { a: [1] } });
      const ids = (rs: { id: unknown }[]) => rs.map((r) => r.id);
      // Numbers, strings, booleans, dates, null: each bound as its text, as for any other statement.
      assert.deepEqual(ids(await User.where('age = ? AND name = ? AND active = ? AND "createdAt" <= ?', 41, 'Retyped', false, new Date(Date.now() + 60_000))), [u.id]);
      assert.deepEqual(ids(await User.where({ id: u.id }).where('age IS DISTINCT FROM ?', null)), [u.id]);
      const read = await User.find(u.id);
      assert.deepEqual([read.name, read.age, read.active, read.settings], ['Retyped', 41, false, { a: [1] }]);
      // A model read the server refuses: node-postgres's error with its PostgreSQL fields; the client goes on.
      const held = app.db.poolStats().total;
      await assert.rejects(User.where('age > ?', 'many').toArray(), (err: { code?: string; severity?: string; routine?: string; message?: string }) =>
        err.code === '22P02' && err.severity === 'ERROR' && typeof err.routine === 'string' && /integer/.test(err.message!));
      assert.equal(app.db.poolStats().total, held);
      // A column's type changed under the statement the pooled clients prepared ("cached plan must not change
      // result type", 0A000): the read goes on unnamed, and reads the new type.
      for (let i = 0; i < 3; i++) assert.equal((await User.find(u.id)).name, 'Retyped');
      const owner = new Client({ host: target.config.host, port: target.config.port, user: target.config.username, database: target.config.database });
      await owner.connect();
      await owner.query(`ALTER TABLE users ALTER COLUMN name TYPE text`);
      try {
        for (let i = 0; i < 5; i++) assert.equal((await User.find(u.id)).name, 'Retyped');
        assert.deepEqual((await Promise.all(Array.from({ length: 12 }, () => User.find(u.id)))).map((r) => r.name), Array(12).fill('Retyped'));
      } finally {
        await owner.query(`ALTER TABLE users ALTER COLUMN name TYPE varchar(50)`);
        await owner.end();
      }
      assert.equal((await User.find(u.id)).name, 'Retyped');
    });

    it('transactions run beside held clients: their reads see their writes, a rollback undoes them', async () => {
      const u = await user({ name: 'Before' });
      // A read started outside the transaction (its callback registered there), run while it is open.
      let go!: () => void;
      const outside = new Promise<void>((r) => (go = r)).then(() => app.db.select('SELECT name FROM users WHERE id = $1', [u.id]));
      await assert.rejects(User.transaction(async () => {
        await User.where({ id: u.id }).updateAll({ name: 'Inside' });
        assert.equal((await User.find(u.id)).name, 'Inside');
        go();
        assert.equal((await outside)[0]!.name, 'Before');
        throw new Error('roll back');
      }), /roll back/);
      assert.equal((await User.find(u.id)).name, 'Before');
    });

    it('a terminated backend: the next read succeeds on a new client, nothing is thrown at the process', async () => {
      const u = await user({ name: 'Kept' });
      for (let round = 0; round < 3; round++) {
        const { pid } = (await app.db.select('SELECT pg_backend_pid() AS pid'))[0]!;
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        // Straight away: a model read lost with its connection is tried once more on another.
        assert.equal((await User.find(u.id)).name, 'Kept');
        // Once the backend is gone and its client has heard of it, any statement runs on a live client.
        while ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rows.length) await sleep(10);
        await sleep(50);
        assert.equal((await app.db.select('SELECT name FROM users WHERE id = $1', [u.id]))[0]!.name, 'Kept');
        const pids = await Promise.all(Array.from({ length: 6 }, () => app.db.select('SELECT pg_backend_pid() AS pid, pg_sleep(0.01)')));
        assert.ok(pids.every((r) => r[0]!.pid !== pid));
      }
      // Killed while idle and held, with nothing running on it.
      const { pid } = (await app.db.select('SELECT pg_backend_pid() AS pid'))[0]!;
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      while ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rows.length) await sleep(10);
      await sleep(50);
      assert.equal(await User.where({ id: u.id }).count(), 1);
    });

    it('databases opened and closed many times leave no connection behind, even closed mid-query', async () => {
      const config = { ...target.config, database: `${target.config.database}_oc` };
      await createDatabase(config, root);
      try {
        assert.equal(await connections(config.database), 0);
        for (let i = 0; i < 12; i++) {
          const db = await Database.connect(config, root);
          // No more at once than the pool's 10 clients: a pool being ended never serves its waiting queue.
          const counts = Promise.all(Array.from({ length: 8 }, () => db.select('SELECT count(*)::int AS n, pg_sleep(0.002) FROM pg_class')));
          if (i % 3 === 2) {
            // Closed while statements run: they finish, then every client goes.
            await sleep(1);
            const closing = db.close();
            assert.equal((await counts).length, 8);
            await closing;
          } else {
            assert.ok((await counts).every((r) => r[0]!.n > 0));
            assert.ok(db.poolStats().total! >= 1);
            await db.close();
          }
          assert.equal(db.poolStats().total, 0);
        }
        for (let i = 0; i < 50 && (await connections(config.database)) > 0; i++) await sleep(20);
        assert.equal(await connections(config.database), 0);
      } finally {
        await dropDatabase(config, root);
      }
    });

    it('a client released while callers wait goes to the first of them at once, not back to idle', async () => {
      const db = await Database.connect({ ...target.config, pool: 2, acquire_timeout: 60 }, root);
      try {
        const opened: (() => void)[] = [];
        const hold = () => db.transaction(async () => {
          await db.select('SELECT 1');
          await new Promise<void>((r) => opened.push(r));
        });
        const first = hold();
        const second = hold();
        while (opened.length < 2) await sleep(5);
        assert.equal(db.poolStats().in_use, 2);
        const waiting = db.select('SELECT 7 AS n');
        while (db.poolStats().waiting !== 1) await sleep(5);
        opened[0]!();
        await first;
        // The second transaction still holds its client: the waiting read ran on the first one's.
        assert.equal((await waiting)[0]!.n, 7);
        assert.equal(db.poolStats().total, 2);
        opened[1]!();
        await second;
        assert.deepEqual({ ...db.poolStats(), total: undefined }, { total: undefined, idle: 2, in_use: 0, waiting: 0 });
      } finally {
        await db.close();
      }
    });
  });
});
