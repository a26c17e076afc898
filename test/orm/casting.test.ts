import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachDatabase } from './harness';

/**
 * Assignment casts by the field's type, before validation, identically on SQLite, PostgreSQL and MariaDB
 * (docs/models.md, "Assignment casts"); what cannot be cast, and a string over its column's length, is a
 * validation error, never a database's own surprise.
 */
void eachDatabase('casting', (ctx) => {
  it('casts JSON numbers and booleans to a string field\'s text, and stores and reads back the same everywhere', async () => {
    const author = await ctx.user();
    const post = await ctx.post(author, { title: 123456, body: true });
    assert.equal(post.title, '123456');
    assert.equal(post.body, 'true');
    const read = await ctx.Post.find(post.id);
    assert.deepEqual([read.title, read.body], ['123456', 'true']);
    assert.equal(JSON.parse(JSON.stringify(read)).title, '123456');
    const user = await ctx.user({ name: 12.5 });
    assert.equal((await ctx.User.find(user.id)).name, '12.5');
  });

  it('casts form strings and JSON values to numbers and booleans by the field, the same everywhere', async () => {
    const author = await ctx.user();
    const post = await ctx.post(author, { views: '42', rating: '4.5', published: 1 });
    assert.deepEqual([post.views, post.rating, post.published], [42, 4.5, true]);
    const read = await ctx.Post.find(post.id);
    assert.deepEqual([read.views, read.rating, read.published], [42, 4.5, true]);
    post.assign({ published: 'false', views: 7 });
    assert.deepEqual([post.published, post.views], [false, 7]);
  });

  it('a value that cannot be cast is a validation error, and nothing is written', async () => {
    const author = await ctx.user();
    const post = new ctx.Post({ title: 'A title', body: 'Body', authorId: author.id, views: 'many', rating: true, published: 'perhaps', publishedAt: 'soon' });
    assert.equal(await post.save(), false);
    assert.deepEqual(post.errors.on('views'), ['must be an integer']);
    assert.deepEqual(post.errors.on('rating'), ['is not a number']);
    assert.deepEqual(post.errors.on('published'), ['must be true or false']);
    assert.deepEqual(post.errors.on('publishedAt'), ['is not a valid date and time']);
    assert.equal(await ctx.Post.count(), 0);
    const user = new ctx.User({ email: ['a@example.com'], name: 'Ann' });
    assert.equal(await user.save(), false);
    assert.ok(user.errors.on('email').includes('must be text'), String(user.errors.on('email')));
  });

  it('a string longer than its field\'s limit (declared, or 255 as t.string makes it) is invalid before the database sees it', async () => {
    const author = await ctx.user();
    const long = new ctx.User({ email: `${'e'.repeat(250)}@x.com`, name: 'Ann', bio: 'x'.repeat(100_000) });
    assert.equal(await long.save(), false);
    assert.deepEqual(long.errors.on('email'), ['is too long (maximum is 255 characters)']);
    assert.deepEqual(long.errors.on('bio'), [], 'text has no limit');
    const named = new ctx.User({ email: 'x@example.com', name: 'n'.repeat(51) });
    assert.equal(await named.save(), false);
    assert.deepEqual(named.errors.on('name'), ['is too long (maximum is 50 characters)']);
    // The limit counts characters, as the databases do: 255 emoji fit.
    const emoji = `${'😀'.repeat(249)}@x.com`;
    const fits = await ctx.user({ email: emoji, bio: 'x'.repeat(100_000) });
    assert.equal((await ctx.User.find(fits.id)).email, emoji);
    // A declared length rule and the limit give one message, not two.
    const title = new ctx.Post({ title: 't'.repeat(201), body: 'Body', authorId: author.id });
    assert.equal(await title.save(), false);
    assert.deepEqual(title.errors.on('title'), ['is too long (maximum is 200 characters)']);
  });
});
