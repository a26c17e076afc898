import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkReversible, createDatabase, dropDatabase, Migrator } from 'stryke/migrations';
import { Database, type DatabaseConfig } from 'stryke/orm';
import { databaseTargets } from '../support/databases';

const fixtures = resolve(__dirname, '../../../test/fixtures');
const FAILURE = join(fixtures, 'migration_failure');
const RUNTIME = join(fixtures, 'migration_runtime_error');
const IRREVERSIBLE = join(fixtures, 'migration_irreversible');
const DSL = join(fixtures, 'migration_dsl');
const dir = mkdtempSync(join(tmpdir(), 'stryke-migration-safety-'));

function variant(config: DatabaseConfig, suffix: string): DatabaseConfig {
  if (config.adapter === 'sqlite') return { ...config, database: config.database.replace(/\.sqlite3$/, `_${suffix}.sqlite3`) };
  return { ...config, database: `${config.database}_${suffix}` };
}

describe('migrations that go wrong, and migrations that race', async () => {
  const targets = await databaseTargets('safety', dir);
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const target of targets) {
    describe(target.name, { skip: target.skip }, () => {
      const opened: { config: DatabaseConfig; root: string; db: Database }[] = [];
      async function open(root: string, suffix: string): Promise<Database> {
        const config = variant(target.config, suffix);
        await createDatabase(config, root);
        const db = await Database.connect(config, root);
        opened.push({ config, root, db });
        return db;
      }
      after(async () => {
        for (const { config, root, db } of opened) {
          await db.close();
          await dropDatabase(config, root);
        }
      });

      it('a failing statement names the file, line and step; status then shows where the database stands', async () => {
        const db = await open(FAILURE, 'failure');
        const migrator = new Migrator(db, FAILURE);
        await assert.rejects(migrator.migrate(), (err: any) => {
          assert.equal(err.code, 'STRYKE_E_MIGRATION_FAILED');
          assert.match(err.message, /at step 3 of 3, execute\(THIS IS NOT SQL\) \(db\/migrations\/20260301000002_broken\.ts:10\)/);
          if (target.name === 'mysql') assert.match(err.message, /Applied before the failure, and not undone \(MySQL commits DDL as it runs\): createTable\(halfway\); addColumn\(things, size\)/);
          else assert.doesNotMatch(err.message, /Applied before/);
          return true;
        });
        const status = await migrator.status();
        assert.deepEqual(status.map((s) => s.state), ['up', target.name === 'mysql' ? 'partial' : 'down', 'down']);
        if (target.name === 'mysql') {
          assert.deepEqual(status[1]!.failure!.applied, ['createTable(halfway)', 'addColumn(things, size)']);
          assert.equal(status[1]!.failure!.failed, 'execute(THIS IS NOT SQL)');
          assert.match(status[1]!.failure!.error, /SQL syntax/);
        }
      });

      it('a runtime error in a migration names its file and line, and nothing of it or after it applies', async () => {
        const db = await open(RUNTIME, 'runtime');
        const migrator = new Migrator(db, RUNTIME);
        await assert.rejects(migrator.migrate(), (err: any) => {
          assert.equal(err.code, 'STRYKE_E_MIGRATION_LOAD_FAILED');
          assert.match(err.message, /db\/migrations\/20260601000002_typo\.ts:8/);
          assert.match(err.message, /addColum is not a function/);
          return true;
        });
        assert.deepEqual((await migrator.status()).map((s) => s.state), ['up', 'down', 'down']);
        const qr = db.dataSource.createQueryRunner();
        const things = await qr.getTable('things');
        await qr.release();
        assert.deepEqual(things!.columns.map((c) => c.name), ['id', 'name'], 'the step before the error did not run');
      });

      it('the reversibility check names a migration whose down() forgets something', async () => {
        const db = await open(IRREVERSIBLE, 'irreversible');
        await assert.rejects(checkReversible(db, IRREVERSIBLE), (err: any) => {
          assert.equal(err.code, 'STRYKE_E_MIGRATION_NOT_REVERSIBLE');
          assert.match(err.message, /db\/migrations\/20260701000002_add_size\.ts/);
          assert.match(err.message, /after rolling it back, column things\.size is left over/);
          return true;
        });
      });

      it('two migrators racing on one database apply each migration once (the migration lock)', async () => {
        const a = await open(DSL, 'race');
        const b = await Database.connect(variant(target.config, 'race'), DSL);
        try {
          const [x, y] = await Promise.all([new Migrator(a, DSL).migrate(), new Migrator(b, DSL).migrate()]);
          const all = [...x, ...y].sort();
          assert.deepEqual(all, new Migrator(a, DSL).files().map((f) => f.version), 'every version applied exactly once');
          assert.ok(x.length === 0 || y.length === 0, 'one of them found nothing left to do');
        } finally {
          await b.close();
        }
      });

      it('a migrator that cannot get the lock in time fails with STRYKE_E_MIGRATION_LOCKED', async () => {
        const config = variant(target.config, 'locked');
        const a = await open(DSL, 'locked');
        const b = await Database.connect(config, DSL);
        try {
          let release!: () => void;
          const held = new Promise<void>((r) => { release = r; });
          let locked!: () => void;
          const taken = new Promise<void>((r) => { locked = r; });
          const first = new Migrator(a, DSL).withLock(async () => { locked(); await held; });
          await taken;
          await assert.rejects(new Migrator(b, DSL, () => {}, { lockTimeoutMs: 300 }).migrate(), { code: 'STRYKE_E_MIGRATION_LOCKED' });
          release();
          await first;
          assert.equal((await new Migrator(b, DSL, () => {}, { lockTimeoutMs: 300 }).migrate()).length, 8, 'free again once released');
        } finally {
          await b.close();
        }
      });
    });
  }

  describe('the SQLite lock file', () => {
    it('waits for a live owner, and takes over the file of a process that died', async () => {
      const file = join(dir, 'lockfile.sqlite3');
      const config: DatabaseConfig = { adapter: 'sqlite', database: file };
      const db = await Database.connect(config, DSL);
      try {
        writeFileSync(`${file}-migrate.lock`, `${process.pid} ${hostname()}\n`);
        await assert.rejects(new Migrator(db, DSL, () => {}, { lockTimeoutMs: 200 }).migrate(), (err: any) => {
          assert.equal(err.code, 'STRYKE_E_MIGRATION_LOCKED');
          assert.match(err.message, /Another process is migrating .*lockfile\.sqlite3/);
          return true;
        });
        const dead = spawnSync(process.execPath, ['-e', '']).pid;
        writeFileSync(`${file}-migrate.lock`, `${dead} ${hostname()}\n`);
        assert.equal((await new Migrator(db, DSL, () => {}, { lockTimeoutMs: 5000 }).migrate()).length, 8);
        assert.equal(existsSync(`${file}-migrate.lock`), false, 'released after migrating');
      } finally {
        await db.close();
      }
    });
  });
});
