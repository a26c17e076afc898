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

  it('has the models\' associations as relations: the `relations` option and the query builder\'s joins load them', async () => {
    const { Comment, Tag, Tagging, Profile } = ctx;
    const ann = await ctx.user({ name: 'Ann' });
    const bob = await ctx.user({ name: 'Bob' });
    const p1 = await ctx.post(ann, { title: 'First' });
    const p2 = await ctx.post(bob, { title: 'Second' });
    await Comment.create({ postId: p1.id, userId: bob.id, body: 'Nice' });
    await Comment.create({ postId: p1.id, userId: null, body: 'Anonymous' });
    const ruby = await Tag.create({ name: 'ruby' });
    const js = await Tag.create({ name: 'js' });
    await Tagging.create({ postId: p1.id, tagId: ruby.id });
    await Tagging.create({ postId: p1.id, tagId: js.id });
    await Tagging.create({ postId: p2.id, tagId: js.id });
    await Profile.create({ userId: ann.id, handle: 'ann', twitter: '@annie' });
    const ds = await typeorm(ctx.app.db);

    // BelongsTo (many-to-one), HasMany (one-to-many), HasMany through a join model (many-to-many).
    const posts: any[] = await ds.getRepository('Post').find({ relations: { author: true, comments: true, labels: true }, order: { id: 'ASC' } });
    assert.deepEqual(posts.map((p) => [p.title, p.author.name, p.comments.map((c: any) => c.body).sort(), p.labels.map((t: any) => t.name).sort()]), [
      ['First', 'Ann', ['Anonymous', 'Nice'], ['js', 'ruby']],
      ['Second', 'Bob', [], ['js']],
    ]);

    // The other sides: HasMany by a custom foreign key (User.posts on authorId), HasOne (one-to-one), and the
    // many-to-many from the tag's end (Tag.posts through taggings).
    const users: any[] = await ds.getRepository('User').createQueryBuilder('u')
      .leftJoinAndSelect('u.posts', 'p').leftJoinAndSelect('u.profile', 'pr').orderBy('u.id').addOrderBy('p.id').getMany();
    assert.deepEqual(users.map((u) => [u.name, u.posts.map((p: any) => p.title), u.profile?.handle ?? null]), [['Ann', ['First'], 'ann'], ['Bob', ['Second'], null]]);
    const tagged: any = await ds.getRepository('Tag').createQueryBuilder('t').innerJoinAndSelect('t.posts', 'p')
      .where('t.name = :name', { name: 'js' }).orderBy('p.id').getOne();
    assert.deepEqual(tagged.posts.map((p: any) => p.title), ['First', 'Second']);

    // A condition across a relation, in SQL: the posts Bob commented on.
    const commented: any[] = await ds.getRepository('Post').createQueryBuilder('p').innerJoin('p.comments', 'c').innerJoin('c.user', 'cu')
      .where('cu.name = :name', { name: 'Bob' }).getMany();
    assert.deepEqual(commented.map((p) => p.id), [p1.id]);

    // The join-model association itself stays a plain one-to-many (Post.taggings), and the profile's owning side loads its user.
    const profile: any = await ds.getRepository('Profile').findOne({ where: { handle: 'ann' }, relations: { user: true } });
    assert.equal(profile.user.id, ann.id);
    const withTaggings: any = await ds.getRepository('Post').findOne({ where: { id: p2.id }, relations: { taggings: { tag: true } } });
    assert.deepEqual(withTaggings.taggings.map((t: any) => t.tag.name), ['js']);
  });
});
