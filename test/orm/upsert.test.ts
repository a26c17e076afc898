import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachDatabase } from './harness';

/**
 * `Model.upsertAll(rows)`: many rows written in one statement, each updating the row with its key when there is
 * one (docs/models.md, "Writing many rows at once"), on SQLite, PostgreSQL and MariaDB.
 */
void eachDatabase('upsert', (ctx) => {
  it('updates existing rows by primary key with per-row values, in one statement, and reads them back', async () => {
    const a = await ctx.user({ name: 'Ann', age: 20 });
    const b = await ctx.user({ name: 'Bob', age: 30 });
    const c = await ctx.user({ name: 'Cy', age: 40 });
    const before = (await ctx.User.find(a.id)).updatedAt;
    await new Promise((r) => setTimeout(r, 20));
    ctx.statements.length = 0;
    const n = await ctx.User.upsertAll([
      { id: a.id, email: a.email, name: 'Ann2', age: 21 },
      { id: b.id, email: b.email, name: 'Bob2', age: 31 },
    ]);
    assert.equal(n, 2);
    const writes = ctx.statements.filter((s) => /^(INSERT|UPDATE)/i.test(s));
    assert.equal(writes.length, 1, writes.join('\n'));
    const rows = await ctx.User.order('id');
    assert.deepEqual(rows.map((u) => [u.name, u.age]), [['Ann2', 21], ['Bob2', 31], ['Cy', 40]]);
    assert.ok(rows[0]!.updatedAt.getTime() > before.getTime(), 'updatedAt moved');
    assert.equal(rows[0]!.createdAt.getTime(), a.createdAt.getTime(), 'createdAt kept');
    assert.equal((await ctx.User.find(c.id)).name, 'Cy');
  });

  it('inserts rows whose key is new, with timestamps, beside updated ones', async () => {
    const a = await ctx.user({ name: 'Ann' });
    await ctx.User.upsertAll([
      { id: a.id, email: a.email, name: 'Ann3' },
      { id: a.id + 100, email: 'new@example.com', name: 'Newt' },
    ]);
    const added = await ctx.User.find(a.id + 100);
    assert.equal(added.name, 'Newt');
    assert.ok(added.createdAt instanceof Date && added.updatedAt instanceof Date);
    assert.equal((await ctx.User.find(a.id)).name, 'Ann3');
    assert.equal(await ctx.User.count(), 2);
  });

  it('keeps the last of rows naming the same key twice (the same on every database)', async () => {
    const a = await ctx.user({ name: 'Ann', age: 1 });
    const n = await ctx.User.upsertAll([
      { id: a.id, email: a.email, age: 2 },
      { id: a.id, email: a.email, age: 3 },
    ]);
    assert.equal(n, 1);
    assert.equal((await ctx.User.find(a.id)).age, 3);
  });

  it('casts values by field (uuid keys, decimals, bigints, enums), and updateOnly limits what a conflict changes', async () => {
    const acct = await ctx.Account.create({ name: 'one', balance: '1.00', visits: 1n });
    await ctx.Account.upsertAll([{ id: acct.id, name: 'renamed', balance: '12.34', visits: 9007199254740993n, status: 'closed' }], { updateOnly: ['balance', 'visits'] });
    const read = await ctx.Account.find(acct.id);
    assert.equal(read.name, 'one', 'name not in updateOnly');
    assert.equal(read.balance, '12.34');
    assert.equal(read.visits, 9007199254740993n);
    assert.equal(read.status, 'active');
  });

  it('many rows: more than fit one statement\'s binds are split into several', async () => {
    const rows = Array.from({ length: 5200 }, (_, i) => ({ id: i + 1, email: `bulk${i}@example.com`, name: 'Bulk', age: (i % 100) + 1, active: i % 2 === 0, score: i / 4 }));
    assert.equal(await ctx.User.upsertAll(rows), 5200);
    assert.equal(await ctx.User.count(), 5200);
    const changed = rows.map((r) => ({ ...r, age: 7 }));
    await ctx.User.upsertAll(changed);
    assert.equal(await ctx.User.where({ age: 7 }).count(), 5200);
    const last = await ctx.User.find(5200);
    assert.deepEqual([last.active, last.score], [false, 5199 / 4]);
  });

  it('uniqueBy names the conflict target on PostgreSQL and SQLite, and is refused on MariaDB', async () => {
    const a = await ctx.user({ email: 'key@example.com', name: 'Ann' });
    const run = () => ctx.User.upsertAll([{ email: 'key@example.com', name: 'ByEmail' }], { uniqueBy: 'email' });
    if (ctx.target.name === 'mysql') {
      await assert.rejects(run, { code: 'STRYKE_E_ORM_BAD_UPSERT' });
    } else {
      await run();
      assert.equal((await ctx.User.find(a.id)).name, 'ByEmail');
      assert.equal(await ctx.User.count(), 1);
    }
  });

  it('refuses rows with different fields, unknown fields, request params, and writes nothing for none', async () => {
    await assert.rejects(() => ctx.User.upsertAll([{ id: 1, email: 'a@example.com' }, { id: 2, name: 'x' } as any]), { code: 'STRYKE_E_ORM_BAD_UPSERT' });
    await assert.rejects(() => ctx.User.upsertAll([{ id: 1, nope: 1 } as any]), { code: 'STRYKE_E_ORM_UNKNOWN_COLUMN' });
    await assert.rejects(() => ctx.User.upsertAll([{ email: 'a@example.com' }]), { code: 'STRYKE_E_ORM_BAD_UPSERT' });
    ctx.statements.length = 0;
    assert.equal(await ctx.User.upsertAll([]), 0);
    assert.equal(ctx.statements.length, 0);
  });
});
