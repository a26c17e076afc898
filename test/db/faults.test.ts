import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dropDatabase } from 'stryke/migrations';
import { Database } from 'stryke/orm';
import { createTestApp, type TestApp } from 'stryke/testing';
import { databaseTargets } from '../support/databases';
import { TcpProxy } from '../support/proxy';

/**
 * A PostgreSQL or MariaDB server that accepts connections and then answers nothing (tried through a TCP
 * proxy gone silent): each of connect_timeout, acquire_timeout and statement_timeout (config/database.toml)
 * ends the wait, and the request answers 503 with Retry-After instead of hanging for the client's timeout.
 */

const root = resolve(__dirname, '../../../test/fixtures/blog');
const dir = mkdtempSync(join(tmpdir(), 'stryke-db-faults-'));
process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
after(() => rmSync(dir, { recursive: true, force: true }));

describe('a database server that stops answering', async () => {
  const targets = (await databaseTargets('dbfaults', dir)).filter((t) => t.name !== 'sqlite');
  for (const target of targets) {
    describe(target.name, { skip: target.skip }, () => {
      let app: TestApp;
      let slow: TestApp;
      let proxy: TcpProxy;
      // One second each, and two connections: the pool's limits are reached quickly.
      const timeouts = { connect_timeout: 1, acquire_timeout: 1, statement_timeout: 1, pool: 2 };
      const get = (a: TestApp) => a.server.inject({ url: '/lookups/user?email=ann@example.com', headers: { accept: 'application/json' } });

      before(async () => {
        app = await createTestApp({ root, database: target.config });
        const { User } = require(join(root, 'build', 'app', 'models', 'user.js'));
        await User.create({ email: 'ann@example.com', name: 'Ann' });
        proxy = new TcpProxy(target.config.port!);
        await proxy.start();
        slow = await createTestApp({ root, database: { ...target.config, port: proxy.port, ...timeouts } });
      });

      after(async () => {
        await proxy?.stop();
        await slow?.close();
        await app?.close();
        await dropDatabase(target.config, root);
      });

      it('answers while the server does', async () => {
        const res = await get(slow);
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json(), { found: 'ann@example.com' });
      });

      it('every connection busy: a statement that waits past acquire_timeout fails 503, and the pool serves again after', async () => {
        let done!: () => void;
        const gate = new Promise<void>((r) => (done = r));
        let started = 0;
        const holders = [0, 1].map(() => slow.db.transaction(async () => {
          await slow.db.select('SELECT 1');
          started++;
          await gate;
        }));
        while (started < 2) await new Promise((r) => setImmediate(r));
        await assert.rejects(slow.db.select('SELECT 2'), (err: { code?: string }) => err.code === 'STRYKE_E_DB_ACQUIRE_TIMEOUT');
        const res = await get(slow);
        assert.equal(res.statusCode, 503);
        assert.equal(res.headers['retry-after'], '5');
        assert.equal(res.json().code, 'STRYKE_E_ORM_UNAVAILABLE');
        done();
        await Promise.all(holders);
        assert.equal((await get(slow)).statusCode, 200);
      });

      it('a connection that stops answering mid-statement: statement_timeout ends it, 503 with Retry-After', async () => {
        proxy.silence();
        const res = await get(slow);
        assert.equal(res.statusCode, 503);
        assert.equal(res.headers['retry-after'], '5');
        assert.equal(res.json().code, 'STRYKE_E_ORM_UNAVAILABLE');
        // The connection that timed out was ended, not handed to the next statement.
        await assert.rejects(slow.db.select('SELECT 3'));
        assert.ok((slow.db.poolStats().in_use ?? 0) === 0);
      });

      it('a server that refuses connections: callers queued behind a failed connect each get their own try, not acquire_timeout', async () => {
        const down = new TcpProxy(target.config.port!);
        await down.start();
        // One connection and a long acquire_timeout: a caller left waiting would wait 30 s and fail with it.
        const db = await Database.connect({ ...target.config, port: down.port, ...timeouts, pool: 1, acquire_timeout: 30 }, root);
        try {
          down.cut(); // the open connection dropped, new ones refused
          const results = await Promise.allSettled([0, 1, 2, 3].map((i) => db.select(`SELECT ${i + 1} AS n`)));
          for (const r of results) {
            assert.equal(r.status, 'rejected');
            assert.notEqual((r as PromiseRejectedResult).reason?.code, 'STRYKE_E_DB_ACQUIRE_TIMEOUT');
          }
          down.restore();
          assert.deepEqual(await db.select('SELECT 7 AS n'), [{ n: 7 }], 'connects again once the server answers');
        } finally {
          await db.close();
          await down.stop();
        }
      });

      it('a server that accepts connections and never answers: connect_timeout ends the wait, 503', async () => {
        // Still silent: a new connection is accepted and never greeted.
        await assert.rejects(Database.connect({ ...target.config, port: proxy.port, ...timeouts }, root), (err: Error & { code?: string }) =>
          /timeout|timedout/i.test(`${err.message} ${err.code}`));
        // Until every pooled connection has timed out and gone, the app answers 503 each time.
        for (let i = 0; i < 3; i++) {
          const res = await get(slow);
          assert.equal(res.statusCode, 503);
          assert.equal(res.headers['retry-after'], '5');
        }
        proxy.restore();
        let status = 0;
        for (let i = 0; i < 10 && status !== 200; i++) status = (await get(slow)).statusCode;
        assert.equal(status, 200, 'answers again once the server does');
      });
    });
  }
});
