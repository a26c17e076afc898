import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkReversible, createDatabase, dropDatabase, dumpSchema, loadSchema, Migrator, Schema } from 'stryke/migrations';
import { Database, type DatabaseConfig } from 'stryke/orm';
import { databaseTargets } from '../support/databases';

const DSL = resolve(__dirname, '../../../test/fixtures/migration_dsl');
const dir = mkdtempSync(join(tmpdir(), 'stryke-dsl-'));
const V = (n: number) => `2026050100000${n}`;

function variant(config: DatabaseConfig, suffix: string): DatabaseConfig {
  if (config.adapter === 'sqlite') return { ...config, database: config.database.replace(/\.sqlite3$/, `_${suffix}.sqlite3`) };
  return { ...config, database: `${config.database}_${suffix}` };
}

describe('the migration DSL, every operation', async () => {
  const targets = await databaseTargets('dsl', dir);
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const target of targets) {
    describe(target.name, { skip: target.skip }, () => {
      const opened: { config: DatabaseConfig; db: Database }[] = [];
      async function open(suffix: string): Promise<Database> {
        const config = variant(target.config, suffix);
        await dropDatabase(config, DSL);
        await createDatabase(config, DSL);
        const db = await Database.connect(config, DSL);
        opened.push({ config, db });
        return db;
      }
      after(async () => {
        for (const { config, db } of opened) {
          await db.close();
          await dropDatabase(config, DSL);
        }
      });

      let db: Database;
      let migrator: Migrator;
      const q = (id: string) => db.dialect.quote(id);
      const p = (n: number) => db.dialect.placeholder(n);
      const table = async (name: string) => {
        const qr = db.dataSource.createQueryRunner();
        try {
          (qr as any).loadedTables = [];
          return await qr.getTable(name);
        } finally {
          await qr.release();
        }
      };
      const column = async (t: string, c: string) => (await table(t))?.columns.find((x) => x.name === c);
      const one = async (sql: string, binds: unknown[] = []) => (await db.select(sql, binds))[0]!;
      const now = () => (target.name === 'sqlite' ? new Date().toISOString() : new Date());

      before(async () => {
        db = await open('ops');
        migrator = new Migrator(db, DSL);
      });

      it('createTable makes every column type, with its options, and enforces them', async () => {
        assert.deepEqual(await migrator.migrate({ to: V(1) }), [V(1)]);
        const shops = (await table('shops'))!;
        assert.deepEqual(shops.columns.map((c) => c.name), [
          'id', 'title', 'code', 'description', 'stock', 'visits', 'rating', 'price', 'open', 'openedOn', 'checkedAt', 'syncedAt',
          'settings', 'token', 'logo', 'status', 'createdAt', 'updatedAt',
        ]);
        const price = shops.columns.find((c) => c.name === 'price')!;
        assert.equal(Number(price.precision), 8);
        assert.equal(Number(price.scale), 2);
        assert.equal(shops.columns.find((c) => c.name === 'title')!.length, '120');
        assert.deepEqual(shops.columns.find((c) => c.name === 'status')!.enum, ['draft', 'live', 'closed']);
        assert.ok(shops.indices.some((i) => i.name === 'shops_by_status' && i.columnNames.join() === 'status,createdAt'));

        await db.run(`INSERT INTO ${q('shops')} (${q('title')}, ${q('code')}, ${q('price')}, ${q('createdAt')}, ${q('updatedAt')}) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`,
          ['Corner', 'C1', '12.345', now(), now()]);
        const row = await one(`SELECT * FROM ${q('shops')}`);
        assert.equal(row.status, 'draft', 'the enum default');
        assert.equal(Number(row.stock), 0);
        assert.equal(Boolean(row.open), true);
        assert.equal(Number(row.price), target.name === 'sqlite' ? 12.345 : 12.35, 'decimal(8,2) rounds on servers');
        await assert.rejects(db.run(`UPDATE ${q('shops')} SET ${q('status')} = ${p(1)}`, ['bogus']), 'a value outside the enum is refused');
        await assert.rejects(db.run(`INSERT INTO ${q('shops')} (${q('code')}, ${q('createdAt')}, ${q('updatedAt')}) VALUES (${p(1)}, ${p(2)}, ${p(3)})`, ['C1', now(), now()]),
          'unique: true refuses a duplicate');
      });

      it('references adds the column, its index and a cascading foreign key; addIndex makes a named unique composite index', async () => {
        assert.deepEqual(await migrator.migrate({ to: V(2) }), [V(2)]);
        const items = (await table('items'))!;
        assert.ok(items.indices.some((i) => i.name === 'index_items_on_shopId'));
        assert.ok(items.indices.some((i) => i.name === 'one_name_per_shop' && i.isUnique && i.columnNames.join() === 'shopId,name'));
        assert.deepEqual(items.foreignKeys.map((f) => [f.referencedTableName, f.onDelete]), [['shops', 'CASCADE']]);
        const { id } = await one(`SELECT ${q('id')} FROM ${q('shops')}`);
        await db.run(`INSERT INTO ${q('items')} (${q('shopId')}, ${q('name')}) VALUES (${p(1)}, ${p(2)})`, [id, 'tea']);
        await assert.rejects(db.run(`INSERT INTO ${q('items')} (${q('shopId')}, ${q('name')}) VALUES (${p(1)}, ${p(2)})`, [id, 'tea']));
      });

      it('renameTable and renameColumn keep the rows and the foreign keys pointing at them', async () => {
        assert.deepEqual(await migrator.migrate({ to: V(4) }), [V(3), V(4)]);
        assert.equal(await table('shops'), undefined);
        assert.equal((await one(`SELECT ${q('name')} FROM ${q('stores')}`)).name, 'Corner');
        assert.deepEqual((await table('items'))!.foreignKeys.map((f) => f.referencedTableName), ['stores']);
      });

      it('changeColumn changes type, length, NULL and default in place, keeping the data', async () => {
        await db.run(`UPDATE ${q('stores')} SET ${q('stock')} = ${p(1)}`, [41]);
        assert.deepEqual(await migrator.migrate({ to: V(5) }), [V(5)]);
        const name = (await column('stores', 'name'))!;
        assert.equal(name.length, '300');
        assert.equal(name.isNullable, false);
        assert.equal((await column('stores', 'stock'))!.type, 'bigint');
        const row = await one(`SELECT ${q('name')}, ${q('stock')} FROM ${q('stores')}`);
        assert.equal(row.name, 'Corner');
        assert.equal(Number(row.stock), 41);
      });

      it('addForeignKey enforces the reference; removeForeignKey lifts it', async () => {
        assert.deepEqual(await migrator.migrate({ to: V(6) }), [V(6)]);
        assert.deepEqual((await table('stores'))!.foreignKeys.map((f) => [f.referencedTableName, f.columnNames.join(), f.onDelete]), [['owners', 'ownerId', 'SET NULL']]);
        await assert.rejects(db.run(`UPDATE ${q('stores')} SET ${q('ownerId')} = ${p(1)}`, [999]));
        assert.deepEqual(await migrator.migrate({ to: V(7) }), [V(7)]);
        assert.deepEqual((await table('stores'))!.foreignKeys, []);
        await db.run(`UPDATE ${q('stores')} SET ${q('ownerId')} = ${p(1)}`, [999]);
        await db.run(`UPDATE ${q('stores')} SET ${q('ownerId')} = NULL`);
      });

      it('execute() with a down runs inside change() both ways', async () => {
        assert.deepEqual(await migrator.migrate(), [V(8)]);
        assert.equal(Number((await one(`SELECT ${q('tally')} FROM ${q('stores')}`)).tally), 7);
      });

      it('rolls every step back, one at a time, with the data intact', async () => {
        assert.deepEqual(await migrator.rollback(2), [V(8), V(7)]);
        assert.equal(await column('stores', 'tally'), undefined);
        assert.equal((await table('stores'))!.foreignKeys.length, 1, 'removeForeignKey reverted');
        assert.deepEqual(await migrator.rollback(2), [V(6), V(5)]);
        assert.equal(await table('owners'), undefined);
        assert.equal((await column('stores', 'name'))!.length, '120');
        assert.notEqual((await column('stores', 'stock'))!.type, 'bigint');
        assert.deepEqual(await migrator.rollback(2), [V(4), V(3)]);
        const row = await one(`SELECT ${q('title')}, ${q('stock')} FROM ${q('shops')}`);
        assert.equal(row.title, 'Corner');
        assert.equal(Number(row.stock), 41);
        assert.equal(Number((await one(`SELECT COUNT(*) AS n FROM ${q('items')}`)).n), 1);
        assert.deepEqual(await migrator.rollback(5), [V(2), V(1)]);
        assert.equal(await table('shops'), undefined);
      });

      it('migrate --to an earlier version reverts the later ones', async () => {
        await migrator.migrate();
        assert.deepEqual(await migrator.migrate({ to: V(6) }), [V(8), V(7)]);
        assert.deepEqual((await migrator.status()).map((s) => s.state), ['up', 'up', 'up', 'up', 'up', 'up', 'down', 'down']);
        assert.deepEqual(await migrator.redo(), [V(6)]);
        await assert.rejects(migrator.migrate({ to: '20260501999999' }), { code: 'STRYKE_E_MIGRATION_UNKNOWN_VERSION' });
        await migrator.migrate();
      });

      it('the schema dump is loaded into an empty database as the same schema, with the versions applied', async () => {
        const dumped = await dumpSchema(db);
        assert.deepEqual(dumped.tables.map((t) => t.name), ['items', 'owners', 'stores']);
        const stores = dumped.tables.find((t) => t.name === 'stores')!;
        assert.deepEqual(stores.columns.find((c) => c.name === 'status'), { name: 'status', type: 'enum', values: ['draft', 'live', 'closed'], null: false, default: 'draft' });
        assert.deepEqual(stores.columns.find((c) => c.name === 'price'), { name: 'price', type: 'decimal', precision: 8, scale: 2, null: true, default: '0' });
        const fresh = await open('load');
        await loadSchema(fresh, dumped, 'the fresh database');
        const loaded = await dumpSchema(fresh);
        assert.deepEqual(loaded, dumped);
        assert.deepEqual(await new Migrator(fresh, DSL).pending(), []);
        await assert.rejects(loadSchema(fresh, dumped, 'the fresh database'), { code: 'STRYKE_E_MIGRATION_SCHEMA_NOT_EMPTY' });
      });

      it('passes the reversibility check', async () => {
        const scratch = await open('reversible');
        const lines: string[] = [];
        assert.equal((await checkReversible(scratch, DSL, (l) => lines.push(l))).length, 8);
        assert.match(lines.at(-1)!, /rolled back to nothing and migrated again/);
      });
    });
  }

  describe('bad input, in one line with the nearest valid choice', () => {
    const s = new Schema('sqlite');
    it('an unknown column type suggests the nearest', () => {
      assert.throws(() => s.addColumn('posts', 'title', 'strng' as never), (err: any) => {
        assert.equal(err.code, 'STRYKE_E_MIGRATION_UNKNOWN_TYPE');
        assert.match(err.message, /Unknown column type "strng" for posts\.title\. Did you mean "string"\?/);
        assert.equal(err.message.split('\n').length, 1);
        return true;
      });
    });
    it('an unknown option suggests the nearest', () => {
      assert.throws(() => s.createTable('posts', (t) => t.string('title', { nul: false } as never)), (err: any) => {
        assert.equal(err.code, 'STRYKE_E_MIGRATION_UNKNOWN_OPTION');
        assert.match(err.message, /Unknown option "nul" for posts\.title\. Did you mean "null"\?/);
        return true;
      });
      assert.throws(() => s.addIndex('posts', ['a'], { uniqe: true } as never), /Did you mean "unique"\?/);
      assert.throws(() => s.createTable('posts', () => {}, { ids: false } as never), /Did you mean "id"\?/);
      assert.throws(() => s.createTable('posts', (t) => t.references('user', { ondelete: 'CASCADE' } as never)), /Did you mean "onDelete"\?/);
    });
    it('options that do not fit the type are refused', () => {
      assert.throws(() => s.addColumn('p', 'x', 'decimal', { precision: 4, scale: 6 }), { code: 'STRYKE_E_MIGRATION_BAD_OPTION' });
      assert.throws(() => s.addColumn('p', 'x', 'integer', { limit: 4 }), /limit applies to string columns only/);
      assert.throws(() => s.addColumn('p', 'x', 'enum'), /an enum needs its values/);
      assert.throws(() => s.addColumn('p', 'x', 'enum', { values: ['a'], default: 'b' }), /not one of the values/);
      assert.throws(() => s.addForeignKey('p', 'users', { onDelete: 'DELETE' as never }), /onDelete\/onUpdate is one of/);
    });
    it('changeColumn, removeForeignKey without what their inverse needs are irreversible inside change()', () => {
      const m = new Schema('sqlite');
      m.changeColumn('p', 'x', 'string', { limit: 10 });
      m.removeForeignKey('p', undefined, { column: 'userId' });
      assert.equal(m.ops.every((op) => op.down === undefined), true);
    });
  });
});
