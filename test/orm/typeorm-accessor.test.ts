import assert from 'node:assert/strict';
import { it } from 'node:test';
import { typeorm } from 'stryke/migrations';
import { eachDatabase } from './harness';

/**
 * The opt-in TypeORM accessor: `typeorm(db)` opens a DataSource on the app's own database configuration
 * with an EntitySchema per model, so an app can use TypeORM's query builder beside the models.
 */
void eachDatabase('typeorm_accessor', (ctx) => {
  it('reads a model\'s table through TypeORM\'s query builder, with the records the models wrote', async () => {
    const ann = await ctx.user({ name: 'Ann', age: 31 });
    await ctx.user({ name: 'Bob', age: 17 });
    const ds = await typeorm(ctx.app.db);
    assert.equal(await typeorm(ctx.app.db), ds, 'opened once per database');
    assert.ok(ds.hasMetadata('User'), 'an entity schema per model');
    const rows = await ds.getRepository('User').createQueryBuilder('u').where('u.age > :age', { age: 18 }).getMany();
    assert.deepEqual(rows.map((r: any) => [r.id, r.name, r.email]), [[ann.id, 'Ann', ann.email]]);
    const posts = await ds.getRepository('Post').createQueryBuilder('p').getCount();
    assert.equal(posts, 0);
    // The app's own models keep working beside it, on the same data.
    assert.equal(await ctx.User.count(), 2);
  });
});
