import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDatabase, dropDatabase, Migrator, Schema } from 'stryke/migrations';
import { Database, type DatabaseConfig } from 'stryke/orm';
import { databaseTargets } from '../support/databases';

const fixtures = resolve(__dirname, '../../../test/fixtures');
const BLOG = join(fixtures, 'blog');
const OPS = join(fixtures, 'migration_ops');
const FAILURE = join(fixtures, 'migration_failure');
const UNKNOWN_TYPE = join(fixtures, 'migration_unknown_type');
const MISSING = join(fixtures, 'migration_missing');
const SAMPLE_APP = resolve(__dirname, '../../../sample-app');
const dir = mkdtempSync(join(tmpdir(), 'stryke-migrations-'));

/** A database of its own for one fixture app, on the target's server (or next to its SQLite file). */
function variant(config: DatabaseConfig, suffix: string): DatabaseConfig {
  if (config.adapter === 'sqlite') return { ...config, database: config.database.replace(/\.sqlite3$/, `_${suffix}.sqlite3`) };
  return { ...config, database: `${config.database}_${suffix}` };
}

/** What the database has, read through TypeORM's schema reader. */
async function schemaOf(db: Database) {
  const qr = db.dataSource.createQueryRunner();
  try {
    return {
      hasTable: (name: string) => qr.hasTable(name),
      async columns(table: string): Promise<string[]> {
        const t = await qr.getTable(table);
        return (t?.columns ?? []).map((c) => c.name).sort();
      },
      async indexes(table: string): Promise<string[]> {
        const t = await qr.getTable(table);
        return [...(t?.indices ?? []).map((i) => i.name ?? ''), ...(t?.uniques ?? []).map((u) => u.name ?? '')].sort();
      },
      release: () => qr.release(),
    };
  } catch (err) {
    await qr.release();
    throw err;
  }
}

async function inspect<T>(db: Database, fn: (s: Awaited<ReturnType<typeof schemaOf>>) => Promise<T>): Promise<T> {
  const s = await schemaOf(db);
  try {
    return await fn(s);
  } finally {
    await s.release();
  }
}

async function versions(db: Database): Promise<string[]> {
  const q = db.dialect.quote;
  return (await db.select(`SELECT ${q('version')} FROM ${q('schema_migrations')} ORDER BY ${q('version')}`)).map((r) => String(r.version));
}

describe('migrations', async () => {
  const targets = await databaseTargets('migrations', dir);
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const target of targets) {
    describe(target.name, { skip: target.skip }, () => {
      /** Each fixture app gets a database; all are dropped at the end. */
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

      describe('the blog app', () => {
        let db: Database;
        let migrator: Migrator;
        const log: string[] = [];
        before(async () => {
          db = await open(BLOG, 'blog');
          migrator = new Migrator(db, BLOG, (line) => log.push(line));
        });

        it('status lists every migration as down before the first migrate', async () => {
          const status = await migrator.status();
          assert.ok(status.every((s) => s.state === 'down'));
          assert.deepEqual(status.slice(0, 4).map((s) => [s.version, s.name, s.state]), [
            ['20260101000001', 'create_users', 'down'],
            ['20260101000002', 'create_posts', 'down'],
            ['20260101000003', 'create_comments', 'down'],
            ['20260101000004', 'add_bio_to_users', 'down'],
          ]);
          assert.equal(status[0]!.source, 'db/migrations/20260101000001_create_users.ts');
        });

        it('migrate --to applies up to a version, then the rest', async () => {
          assert.deepEqual(await migrator.migrate({ to: '20260101000002' }), ['20260101000001', '20260101000002']);
          assert.deepEqual((await migrator.pending()).map((f) => f.version).slice(0, 2), ['20260101000003', '20260101000004']);
          assert.deepEqual(await migrator.migrate({ to: '20260101000004' }), ['20260101000003', '20260101000004']);
          assert.deepEqual(await migrator.migrate({ to: '20260101000004' }), []);
          assert.ok(log.includes('== 20260101000001 CreateUsers: migrating'));
          assert.ok(log.some((l) => l.startsWith('-- createTable(posts)')));
        });

        it('status shows every migration up, schema_migrations has their versions', async () => {
          assert.deepEqual((await migrator.status()).slice(0, 4).map((s) => s.state), ['up', 'up', 'up', 'up']);
          assert.deepEqual(await versions(db), ['20260101000001', '20260101000002', '20260101000003', '20260101000004']);
          await inspect(db, async (s) => {
            for (const t of ['users', 'posts', 'comments']) assert.ok(await s.hasTable(t), t);
            assert.ok((await s.columns('users')).includes('bio'));
            assert.ok((await s.indexes('users')).includes('index_users_on_name'));
            assert.ok((await s.indexes('posts')).includes('index_posts_on_published_and_createdAt'));
            assert.ok((await s.indexes('posts')).includes('index_posts_on_authorId'));
          });
        });

        it('rollback reverts the last migration: its column, index and schema_migrations row are gone', async () => {
          assert.deepEqual(await migrator.rollback(), ['20260101000004']);
          await inspect(db, async (s) => {
            assert.ok(!(await s.columns('users')).includes('bio'));
            assert.ok(!(await s.indexes('users')).includes('index_users_on_name'));
          });
          assert.deepEqual(await versions(db), ['20260101000001', '20260101000002', '20260101000003']);
          assert.deepEqual((await migrator.status()).slice(0, 4).map((s) => s.state), ['up', 'up', 'up', 'down']);
        });

        it('rollback of a createTable drops the table', async () => {
          assert.deepEqual(await migrator.rollback(), ['20260101000003']);
          await inspect(db, async (s) => {
            assert.equal(await s.hasTable('comments'), false);
            assert.equal(await s.hasTable('posts'), true);
          });
          assert.deepEqual(await versions(db), ['20260101000001', '20260101000002']);
        });

        it('migrate re-applies what was rolled back', async () => {
          assert.deepEqual(await migrator.migrate({ to: '20260101000004' }), ['20260101000003', '20260101000004']);
          await inspect(db, async (s) => {
            assert.equal(await s.hasTable('comments'), true);
            assert.ok((await s.columns('users')).includes('bio'));
          });
        });

        it('every migration is reversible: rollback to nothing, then up again', async () => {
          assert.deepEqual(await migrator.rollback(10), ['20260101000004', '20260101000003', '20260101000002', '20260101000001']);
          await inspect(db, async (s) => {
            for (const t of ['users', 'posts', 'comments']) assert.equal(await s.hasTable(t), false, t);
            assert.equal(await s.hasTable('schema_migrations'), true);
          });
          assert.deepEqual(await versions(db), []);
          assert.deepEqual(await migrator.rollback(), []);
          assert.equal((await migrator.migrate()).length, migrator.files().length);
        });
      });

      describe('schema operations', () => {
        let db: Database;
        let migrator: Migrator;
        const q = (id: string) => db.dialect.quote(id);
        before(async () => {
          db = await open(OPS, 'ops');
          migrator = new Migrator(db, OPS);
        });

        it('addColumn, addIndex, removeIndex and removeColumn apply and revert, keeping rows', async () => {
          await migrator.migrate({ to: '20260201000001' });
          const now = db.dialect.toDb(new Date(), { property: 'x', column: 'x', type: 'datetime', primary: false, nullable: false });
          await db.run(`INSERT INTO ${q('authors')} (${q('name')}, ${q('createdAt')}, ${q('updatedAt')}) VALUES (${db.dialect.placeholder(1)}, ${db.dialect.placeholder(2)}, ${db.dialect.placeholder(3)})`, ['  ada  ', now, now]);
          const [author] = await db.select(`SELECT ${q('id')} FROM ${q('authors')}`);
          await db.run(`INSERT INTO ${q('books')} (${q('title')}, ${q('authorId')}) VALUES (${db.dialect.placeholder(1)}, ${db.dialect.placeholder(2)})`, ['Notes', author!.id]);
          const books = async () => (await db.select(`SELECT COUNT(*) AS n FROM ${q('books')}`))[0]!.n;

          const steps: [string, (s: Awaited<ReturnType<typeof schemaOf>>) => Promise<void>][] = [
            ['20260201000002', async (s) => assert.ok((await s.columns('authors')).includes('email'))],
            ['20260201000003', async (s) => assert.ok((await s.indexes('authors')).includes('index_authors_on_email'))],
            ['20260201000004', async (s) => assert.ok(!(await s.indexes('authors')).includes('index_authors_on_email'))],
            ['20260201000005', async (s) => assert.ok(!(await s.columns('authors')).includes('email'))],
          ];
          for (const [version, check] of steps) {
            assert.deepEqual(await migrator.migrate({ to: version }), [version]);
            await inspect(db, check);
            assert.equal(Number(await books()), 1, `books survive ${version}`);
          }
          const [row] = await db.select(`SELECT * FROM ${q('authors')}`);
          assert.equal(row!.name, '  ada  ');

          // Back down, one step at a time: each state is the one before it.
          assert.deepEqual(await migrator.rollback(), ['20260201000005']);
          await inspect(db, async (s) => assert.ok((await s.columns('authors')).includes('email')));
          const [back] = await db.select(`SELECT ${q('email')} FROM ${q('authors')}`);
          assert.equal(back!.email, 'unknown@example.com');
          assert.deepEqual(await migrator.rollback(), ['20260201000004']);
          await inspect(db, async (s) => assert.ok((await s.indexes('authors')).includes('index_authors_on_email')));
          assert.deepEqual(await migrator.rollback(), ['20260201000003']);
          await inspect(db, async (s) => assert.ok(!(await s.indexes('authors')).includes('index_authors_on_email')));
          assert.deepEqual(await migrator.rollback(), ['20260201000002']);
          await inspect(db, async (s) => assert.deepEqual(await s.columns('authors'), ['createdAt', 'id', 'name', 'updatedAt']));
          assert.equal(Number(await books()), 1, 'books survive the rollbacks');
        });

        it('up/down migrations with execute() revert through down()', async () => {
          await migrator.migrate({ to: '20260201000006' });
          assert.equal((await db.select(`SELECT ${q('name')} FROM ${q('authors')}`))[0]!.name, '  ADA  ');
          assert.deepEqual(await migrator.rollback(), ['20260201000006']);
          assert.equal((await db.select(`SELECT ${q('name')} FROM ${q('authors')}`))[0]!.name, '  ada  ');
        });

        it('rollback of a change() containing execute() fails with STRYKE_E_MIGRATION_IRREVERSIBLE and changes nothing', async () => {
          assert.deepEqual(await migrator.migrate(), ['20260201000006', '20260201000007']);
          assert.equal((await db.select(`SELECT ${q('name')} FROM ${q('authors')}`))[0]!.name, 'ADA');
          await assert.rejects(migrator.rollback(), (err: any) => {
            assert.equal(err.code, 'STRYKE_E_MIGRATION_IRREVERSIBLE');
            assert.match(err.message, /20260201000007_trim_author_names/);
            assert.match(err.message, /execute\(UPDATE authors SET name = TRIM\(name\)\)/);
            assert.match(err.message, /down\(\)/);
            return true;
          });
          assert.equal((await migrator.status()).at(-1)!.state, 'up');
          assert.ok((await versions(db)).includes('20260201000007'));
        });
      });

      describe('a failing migration', () => {
        let db: Database;
        let migrator: Migrator;
        before(async () => {
          db = await open(FAILURE, 'failure');
          migrator = new Migrator(db, FAILURE);
        });

        it('reports STRYKE_E_MIGRATION_FAILED naming the file and the database error', async () => {
          await assert.rejects(migrator.migrate(), (err: any) => {
            assert.equal(err.code, 'STRYKE_E_MIGRATION_FAILED');
            assert.match(err.message, /db\/migrations\/20260301000002_broken\.ts/);
            assert.match(err.message, /\(up\)/);
            assert.ok(err.cause instanceof Error, 'keeps the database error as cause');
            return true;
          });
        });

        it('stops there: earlier migrations stay applied, the failed and later ones do not', async () => {
          // MySQL commits DDL as it runs: the failed migration is `partial`, with what ran recorded.
          assert.deepEqual((await migrator.status()).map((s) => s.state), ['up', target.name === 'mysql' ? 'partial' : 'down', 'down']);
          assert.deepEqual(await versions(db), ['20260301000001']);
          await inspect(db, async (s) => {
            assert.equal(await s.hasTable('things'), true);
            assert.equal(await s.hasTable('unreached'), false);
          });
        });

        it(target.name === 'mysql' ? 'MySQL has no transactional DDL: what ran before the failure stays' : 'leaves nothing of itself applied (transactional DDL)', async () => {
          await inspect(db, async (s) => {
            if (target.name === 'mysql') {
              assert.equal(await s.hasTable('halfway'), true);
              assert.ok((await s.columns('things')).includes('size'));
            } else {
              assert.equal(await s.hasTable('halfway'), false);
              assert.deepEqual(await s.columns('things'), ['id', 'name']);
            }
          });
        });

        it('fails the same way when run again', async () => {
          await assert.rejects(migrator.migrate(), { code: 'STRYKE_E_MIGRATION_FAILED' });
          assert.deepEqual(await versions(db), ['20260301000001']);
        });
      });

      describe('a step naming a column the table does not have', () => {
        it('fails with STRYKE_E_MIGRATION_FAILED, its cause coded STRYKE_E_MIGRATION_NO_COLUMN', async () => {
          const db = await open(MISSING, 'missing');
          await assert.rejects(new Migrator(db, MISSING).migrate(), (err: any) => {
            assert.equal(err.code, 'STRYKE_E_MIGRATION_FAILED');
            assert.equal(err.cause?.code, 'STRYKE_E_MIGRATION_NO_COLUMN');
            assert.match(err.message, /things has no column nmae/);
            return true;
          });
          assert.deepEqual(await versions(db), ['20260301000001']);
        });
      });

      describe('an unknown column type', () => {
        it('throws STRYKE_E_MIGRATION_UNKNOWN_TYPE naming the column and file, before running anything', async () => {
          const db = await open(UNKNOWN_TYPE, 'unknown_type');
          const migrator = new Migrator(db, UNKNOWN_TYPE);
          await assert.rejects(migrator.migrate(), (err: any) => {
            assert.equal(err.code, 'STRYKE_E_MIGRATION_UNKNOWN_TYPE');
            assert.match(err.message, /"money" for gadgets\.price/);
            assert.match(err.message, /db\/migrations\/20260401000001_create_gadgets\.ts/);
            assert.match(err.message, /string, text, integer/);
            return true;
          });
          assert.equal(await inspect(db, (s) => s.hasTable('gadgets')), false);
          assert.deepEqual(await versions(db), []);
        });
      });

      describe('the sample app', () => {
        it('migrates, rolls back every migration and migrates again', async () => {
          const db = await open(SAMPLE_APP, 'sample');
          const migrator = new Migrator(db, SAMPLE_APP);
          const files = migrator.files();
          assert.ok(files.length > 0);
          assert.equal((await migrator.migrate()).length, files.length);
          assert.equal((await migrator.rollback(files.length)).length, files.length);
          assert.deepEqual(await versions(db), []);
          assert.equal((await migrator.migrate()).length, files.length);
        });
      });
    });
  }

  describe('the DSL', () => {
    it('refuses an unknown column type in createTable and addColumn', () => {
      const s = new Schema('sqlite');
      assert.throws(() => s.createTable('t', (t) => t.column('x', 'varchar2' as never)), { code: 'STRYKE_E_MIGRATION_UNKNOWN_TYPE' });
      assert.throws(() => s.addColumn('t', 'x', 'money' as never), { code: 'STRYKE_E_MIGRATION_UNKNOWN_TYPE' });
      assert.throws(() => s.removeColumn('t', 'x', 'money' as never), { code: 'STRYKE_E_MIGRATION_UNKNOWN_TYPE' });
    });
  });

  describe('migration files', () => {
    const root = join(dir, 'app');
    const migrations = join(root, 'db', 'migrations');
    const compiled = join(root, 'build', 'db', 'migrations');
    let db: Database;
    before(async () => {
      db = await Database.connect({ adapter: 'sqlite', database: join(dir, 'files.sqlite3') }, root);
    });
    after(() => db.close());

    const reset = () => {
      rmSync(root, { recursive: true, force: true });
      mkdirSync(migrations, { recursive: true });
      mkdirSync(compiled, { recursive: true });
    };

    it('a file not named <14 digits>_<name>.ts is STRYKE_E_MIGRATION_BAD_NAME', async () => {
      reset();
      writeFileSync(join(migrations, 'create_posts.ts'), '');
      assert.throws(() => new Migrator(db, root).files(), { code: 'STRYKE_E_MIGRATION_BAD_NAME' });
      await assert.rejects(new Migrator(db, root).migrate(), { code: 'STRYKE_E_MIGRATION_BAD_NAME' });
    });

    it('a migration without its compiled module is STRYKE_E_MIGRATION_NOT_COMPILED', async () => {
      reset();
      writeFileSync(join(migrations, '20260101000000_create_posts.ts'), '');
      await assert.rejects(new Migrator(db, root).migrate(), { code: 'STRYKE_E_MIGRATION_NOT_COMPILED' });
    });

    it('a module that exports no migration is STRYKE_E_MIGRATION_BAD_FILE', async () => {
      reset();
      writeFileSync(join(migrations, '20260101000000_create_posts.ts'), '');
      writeFileSync(join(compiled, '20260101000000_create_posts.js'), 'module.exports = { up() {} };');
      await assert.rejects(new Migrator(db, root).migrate(), (err: any) => {
        assert.equal(err.code, 'STRYKE_E_MIGRATION_BAD_FILE');
        assert.match(err.message, /db\/migrations\/20260101000000_create_posts\.ts/);
        return true;
      });
    });
  });
});
