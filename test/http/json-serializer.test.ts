import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { eachDatabase, root } from '../orm/harness';

/**
 * `this.json(record)` and returned records are written by the model's serializer, compiled at boot from
 * its fields (docs/models.md, "Records as JSON"): the answer must be, byte for byte, what
 * JSON.stringify gives through the model's toJSON, for every field type as each database returns it.
 */
void eachDatabase('jsonser', (ctx) => {
  const Member = () => require(join(root, 'build', 'app', 'models', 'member.js')).Member;

  it('writes a record with every basic type (string, text, integer, float, boolean, json, datetime, date, nulls) as JSON.stringify does', async () => {
    const full = await ctx.user({
      name: 'Zoë "quoted" \\ <b>', score: 2.5, active: false, age: 41,
      settings: { theme: 'dark', n: [1, 2.5, null], s: 'é\u2028' }, lastSeenAt: new Date('2026-03-04T05:06:07.089Z'),
      bio: 'line\nbreak\ttab \u0001 😀', birthday: '1990-05-06',
    });
    const empty = await ctx.user({ name: 'Al', settings: null, lastSeenAt: null, bio: null, birthday: null, score: 0 });
    for (const u of [full, empty]) {
      const res = await ctx.app.client().get(`/serialized/users/${u.id}`);
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.body, JSON.stringify(await ctx.User.find(u.id)));
    }
    const parsed = (await ctx.app.client().get(`/serialized/users/${full.id}`)).json();
    assert.equal(parsed.lastSeenAt, '2026-03-04T05:06:07.089Z');
    assert.equal(parsed.active, false);
    assert.deepEqual(parsed.settings, { theme: 'dark', n: [1, 2.5, null], s: 'é\u2028' });
  });

  it('writes uuid, enum, decimal (a string) and bigint (a number when safe, a string when not) as toJSON does', async () => {
    const small = await ctx.Account.create({ name: 'small', balance: '12.50', visits: 7n, status: 'suspended' });
    const huge = await ctx.Account.create({ name: 'huge', balance: '-0.01', visits: 9007199254740993n });
    for (const a of [small, huge]) {
      const res = await ctx.app.client().get(`/serialized/accounts/${a.id}`);
      assert.equal(res.body, JSON.stringify(await ctx.Account.find(a.id)));
    }
    const h = (await ctx.app.client().get(`/serialized/accounts/${huge.id}`)).json();
    assert.equal(h.visits, '9007199254740993');
    assert.equal(h.deletedAt, null);
    assert.equal((await ctx.app.client().get(`/serialized/accounts/${small.id}`)).json().visits, 7);
  });

  it('leaves sensitive fields (password digests) out, as toJSON does', async () => {
    const m = await Member().create({ email: 'm@example.com', password: 'long enough secret' });
    const res = await ctx.app.client().get(`/serialized/members/${m.id}`);
    assert.equal(res.body, JSON.stringify(await Member().find(m.id)));
    assert.doesNotMatch(res.body, /Digest/);
  });

  it('writes loaded associations, and a model whose toJSON is its own through it', async () => {
    const author = await ctx.user();
    const post = await ctx.post(author, { tags: ['a', 'b'], publishedAt: new Date('2026-01-02T03:04:05.000Z'), rating: 4.25 });
    await ctx.Comment.create({ postId: post.id, userId: author.id, body: 'First' });
    await ctx.Comment.create({ postId: post.id, userId: null, body: 'Second' });
    const tag = await ctx.Tag.create({ name: 'node' });
    await ctx.Tagging.create({ postId: post.id, tagId: tag.id });
    const res = await ctx.app.client().get(`/serialized/posts/${post.id}`);
    const expected = JSON.stringify(await ctx.Post.includes('author', 'comments', 'taggings').find(post.id));
    assert.equal(res.body, expected);
    const parsed = res.json();
    assert.equal(parsed.author.id, author.id);
    assert.equal(parsed.comments.length, 2);
    assert.deepEqual(Object.keys(parsed.taggings[0]).sort(), ['id', 'kind', 'postId', 'tagId'], 'Tagging#toJSON was used');
    const taggings = await ctx.app.client().get('/serialized/taggings');
    assert.equal(taggings.body, JSON.stringify(await ctx.Tagging.order('id')));
    assert.equal(taggings.json()[0].kind, 'tagging');
  });

  it('writes arrays of records returned by an action, and records inside other values', async () => {
    const a = await ctx.user({ settings: { x: 1 } });
    await ctx.user({ age: null, settings: null });
    const list = await ctx.app.client().get('/serialized/users');
    assert.equal(list.body, JSON.stringify(await ctx.User.order('id')));
    assert.equal(list.json().length, 2);
    const mixed = await ctx.app.client().get(`/serialized/mixed/${a.id}`);
    const user = await ctx.User.find(a.id);
    assert.equal(mixed.body, JSON.stringify({ user, list: [user, 1, null, 'x'], nested: [[user]] }));
  });

  it('sends no ETag unless asked (json(data, { etag: true }) does, and answers 304 to it)', async () => {
    const u = await ctx.user();
    const plain = await ctx.app.client().get(`/serialized/users/${u.id}`);
    assert.equal(plain.headers.etag, undefined);
    const first = await ctx.app.client().get(`/serialized/tagged/${u.id}`);
    const etag = String(first.headers.etag);
    assert.ok(etag.startsWith('W/"'));
    assert.equal(first.body, plain.body);
    const again = await ctx.app.client().get(`/serialized/tagged/${u.id}`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
  });
});
