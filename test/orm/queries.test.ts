import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { anyOf, gt, gte, range } from 'stryke';
import type { Post } from '../fixtures/blog/build/app/models/post';
import type { User } from '../fixtures/blog/build/app/models/user';
import { eachDatabase } from './harness';

const titles = (posts: Post[]) => posts.map((p) => p.title);

describe('query API', async () => {
  await eachDatabase('queries', (ctx) => {
    let ann: User;
    let bob: User;
    let ids: number[];
    beforeEach(async () => {
      ann = await ctx.user({ name: 'Ann', age: 30 });
      bob = await ctx.user({ name: 'Bob', age: 40 });
      ids = [];
      for (const [i, title] of ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'].entries()) {
        const author = i < 3 ? ann : bob;
        ids.push((await ctx.post(author, { title, views: i * 10, published: i % 2 === 0, rating: i === 4 ? null : i, createdAt: new Date(Date.UTC(2026, 0, 1 + i)) })).id);
      }
      ctx.statements.length = 0;
    });

    describe('conditions', () => {
      it('whereNot negates hashes, null (IS NOT NULL), arrays (NOT IN) and fragments', async () => {
        const { Post } = ctx;
        assert.deepEqual(titles(await Post.whereNot({ published: true }).order('id')), ['Bravo', 'Delta']);
        assert.deepEqual(titles(await Post.whereNot({ rating: null }).order('id')), ['Alpha', 'Bravo', 'Charlie', 'Delta']);
        assert.deepEqual(titles(await Post.whereNot({ title: anyOf(['Alpha', 'Bravo']) }).order('id')), ['Charlie', 'Delta', 'Echo']);
        assert.deepEqual(titles(await Post.whereNot('views >= ?', 20).order('id')), ['Alpha', 'Bravo']);
        assert.deepEqual(titles(await Post.where({ published: true }).whereNot({ title: 'Alpha' }).order('id')), ['Charlie', 'Echo']);
        assert.throws(() => Post.whereNot({ title: undefined }), { code: 'STRYKE_E_ORM_UNDEFINED_CONDITION' });
      });

      it('or combines two relations, and an or with conditions', async () => {
        const { Post } = ctx;
        assert.deepEqual(titles(await Post.where({ title: 'Alpha' }).or(Post.where({ views: 40 })).order('id')), ['Alpha', 'Echo']);
        assert.deepEqual(titles(await Post.where({ published: true }).where({ authorId: ann.id }).or(Post.where('views > ?', 35)).order('id')), ['Alpha', 'Charlie', 'Echo']);
        assert.deepEqual(titles(await Post.where({ title: 'Bravo' }).or({ title: 'Delta' }).order('id')), ['Bravo', 'Delta']);
        // The OR is grouped: a later where narrows the whole of it.
        assert.deepEqual(titles(await Post.where({ title: 'Alpha' }).or(Post.where({ title: 'Bravo' })).where({ published: true })), ['Alpha']);
      });

      it('ranges: gt/gte/lt/lte objects and range()', async () => {
        const { Post, User } = ctx;
        assert.deepEqual(titles(await Post.where({ views: range(10, 30, { exclusive: true }) }).order('id')), ['Bravo', 'Charlie']);
        assert.deepEqual(titles(await Post.where({ views: range(20, 40) }).order('id')), ['Charlie', 'Delta', 'Echo']);
        assert.deepEqual(titles(await Post.where({ views: range(20, 40, { exclusive: true }) }).order('id')), ['Charlie', 'Delta']);
        assert.deepEqual(titles(await Post.where({ views: range(null, 10) }).order('id')), ['Alpha', 'Bravo']);
        assert.deepEqual(titles(await Post.where({ createdAt: gt(new Date(Date.UTC(2026, 0, 3))) }).order('id')), ['Delta', 'Echo']);
        assert.deepEqual(titles(await Post.where({ createdAt: range('2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z') }).order('id')), ['Bravo', 'Charlie']);
        assert.equal(await User.where('age > ?', 35).count(), 1);
        assert.throws(() => Post.where({ views: gte(undefined) }), { code: 'STRYKE_E_ORM_UNDEFINED_CONDITION' });
      });

      it('where by a belongsTo record, and on joined associations', async () => {
        const { Post } = ctx;
        assert.equal(await Post.where({ author: bob }).count(), 2);
        assert.equal(await Post.where({ author: anyOf([ann, bob]) }).count(), 5);
        assert.deepEqual(titles(await Post.joins('author').where({ author: { name: 'Bob' } }).order('id')), ['Delta', 'Echo']);
        // @ts-expect-error: the compiler refuses it too (test/types); this is the run-time check, for untyped callers
        assert.throws(() => Post.where({ author: { nope: 1 } }), { code: 'STRYKE_E_ORM_UNKNOWN_COLUMN' });
        assert.throws(() => Post.where({ author: { name: 'Bob' } }).toSQL(), { code: 'STRYKE_E_ORM_NOT_JOINED' });
      });
    });

    describe('ordering, selecting, distinct', () => {
      it('reorder replaces the order; order on a joined column', async () => {
        const { Post } = ctx;
        const rel = Post.order('views', 'desc');
        assert.deepEqual(titles(await rel.limit(2)), ['Echo', 'Delta']);
        assert.deepEqual(titles(await rel.reorder('title').limit(2)), ['Alpha', 'Bravo']);
        assert.deepEqual(titles(await rel.reorder({ published: 'asc', views: 'desc' }).limit(2)), ['Delta', 'Bravo']);
        assert.deepEqual(titles(await Post.joins('author').order('author.name', 'desc').order('id').limit(3)), ['Delta', 'Echo', 'Alpha']);
      });

      it('select reads only the fields named', async () => {
        const { Post } = ctx;
        const [p] = await Post.select('id', 'title').where({ title: 'Alpha' });
        assert.equal(p!.title, 'Alpha');
        assert.equal(p!.id, ids[0]);
        assert.equal(p!.body, undefined);
        assert.deepEqual(p!.changed(), []);
        // @ts-expect-error: the compiler refuses it too (test/types); this is the run-time check, for untyped callers
        assert.throws(() => Post.select('nope'), { code: 'STRYKE_E_ORM_UNKNOWN_COLUMN' });
      });

      it('distinct', async () => {
        const { Post } = ctx;
        assert.deepEqual((await Post.select('authorId').distinct().order('authorId')).map((p) => p.authorId), [ann.id, bob.id]);
        assert.equal(await Post.select('authorId').distinct().count(), 2);
        assert.deepEqual((await Post.distinct().pluck('published')).sort(), [false, true]);
      });
    });

    describe('joins', () => {
      it('joins and leftJoins by association name, nested, through', async () => {
        const { Post, User, Comment, Tag, Tagging } = ctx;
        const [alpha, bravo] = await Post.where({ id: anyOf([ids[0]!, ids[1]!]) }).order('id');
        await Comment.create({ postId: alpha!.id, userId: bob.id, body: 'one' });
        await Comment.create({ postId: alpha!.id, userId: bob.id, body: 'two' });
        await Comment.create({ postId: bravo!.id, userId: ann.id, body: 'three' });
        // INNER JOIN: posts with comments (one row per comment, as in SQL).
        assert.deepEqual(titles(await Post.joins('comments').order('id')), ['Alpha', 'Alpha', 'Bravo']);
        assert.deepEqual(titles(await Post.joins('comments').distinct().order('id')), ['Alpha', 'Bravo']);
        assert.equal(await Post.joins('comments').count(), 3);
        assert.equal(await Post.joins('comments').distinct().count(), 2);
        assert.deepEqual(titles(await Post.joins('comments').where({ comments: { body: 'three' } })), ['Bravo']);
        // LEFT JOIN: posts without comments.
        assert.deepEqual(titles(await Post.leftJoins('comments').where({ comments: { id: null } }).order('id')), ['Charlie', 'Delta', 'Echo']);
        // Nested: comments whose post's author is Ann, written by Bob.
        assert.equal(await Comment.joins({ post: 'author' }, 'user').where({ post: { author: { name: 'Ann' } }, user: { name: 'Bob' } }).count(), 2);
        // A second join of the same table gets an alias.
        const sql = Comment.joins({ post: 'author' }, 'user').toSQL().sql;
        assert.ok(sql.includes(`INNER JOIN ${ctx.q('users')} ON`) && sql.includes(`INNER JOIN ${ctx.q('users')} ${ctx.q('user_comments')} ON`), sql);
        // Through a join model.
        const ruby = await Tag.create({ name: 'ruby' });
        await Tagging.create({ postId: alpha!.id, tagId: ruby.id });
        assert.deepEqual(titles(await Post.joins('labels').where({ labels: { name: 'ruby' } })), ['Alpha']);
        assert.deepEqual((await Tag.joins('posts').where({ posts: { title: 'Alpha' } })).map((t) => t.name), ['ruby']);
        // Users who wrote posts that have comments.
        assert.deepEqual((await User.joins({ posts: 'comments' }).distinct().order('id')).map((u) => u.name), ['Ann']);
        // @ts-expect-error: the compiler refuses it too (test/types); this is the run-time check, for untyped callers
        assert.throws(() => Post.joins('nope'), { code: 'STRYKE_E_ORM_UNKNOWN_ASSOCIATION' });
      });
    });

    describe('calculations', () => {
      it('pluck, ids, sum, average, minimum, maximum, count(field)', async () => {
        const { Post, Comment } = ctx;
        assert.deepEqual(await Post.order('id').pluck('title'), ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']);
        assert.deepEqual(await Post.where({ title: anyOf(['Alpha', 'Bravo']) }).order('id').pluck('title', 'published'), [['Alpha', true], ['Bravo', false]]);
        assert.deepEqual((await Post.order('id').pluck('createdAt'))[0], new Date(Date.UTC(2026, 0, 1)));
        assert.deepEqual(await Post.order('id').ids(), ids);
        assert.deepEqual(await Post.joins('author').where({ author: { name: 'Bob' } }).order('id').pluck('author.name'), ['Bob', 'Bob']);
        assert.strictEqual(await Post.sum('views'), 100);
        assert.strictEqual(await Post.where({ published: true }).sum('views'), 60);
        assert.strictEqual(await Post.where({ title: 'none' }).sum('views'), 0);
        assert.strictEqual(await Post.average('views'), 20);
        assert.strictEqual(await Post.average('rating'), 1.5);
        assert.strictEqual(await Post.where({ title: 'none' }).average('views'), null);
        assert.strictEqual(await Post.minimum('views'), 0);
        assert.strictEqual(await Post.maximum('views'), 40);
        assert.deepEqual(await Post.maximum('createdAt'), new Date(Date.UTC(2026, 0, 5)));
        assert.strictEqual(await Post.minimum('title'), 'Alpha');
        assert.strictEqual(await Post.count('rating'), 4);
        assert.strictEqual(await Post.order('views').limit(2).sum('views'), 10);
        assert.strictEqual(await Comment.count(), 0);
        // @ts-expect-error: the compiler refuses it too (test/types); this is the run-time check, for untyped callers
        await assert.rejects(Post.pluck('nope'), { code: 'STRYKE_E_ORM_UNKNOWN_COLUMN' });
      });

      it('group and having', async () => {
        const { Post } = ctx;
        const counts = await Post.group('authorId').count();
        assert.deepEqual([...counts.entries()].sort(), [[ann.id, 3], [bob.id, 2]]);
        const sums = await Post.group('published').sum('views');
        assert.equal(sums.get(true), 60);
        assert.equal(sums.get(false), 40);
        const busy = await Post.group('authorId').having('COUNT(*) > ?', 2).count();
        assert.deepEqual([...busy.keys()], [ann.id]);
        const byName = await Post.joins('author').group('author.name').maximum('views');
        assert.deepEqual(Object.fromEntries(byName), { Ann: 20, Bob: 40 });
        const pairs = await Post.group('authorId', 'published').count();
        assert.equal(pairs.size, 4);
      });
    });

    describe('finders', () => {
      it('first, last and take, with and without a count', async () => {
        const { Post } = ctx;
        assert.equal((await Post.first())!.title, 'Alpha');
        assert.equal((await Post.last())!.title, 'Echo');
        assert.equal((await Post.order('views', 'desc').last())!.title, 'Alpha');
        assert.deepEqual(titles(await Post.first(2)), ['Alpha', 'Bravo']);
        assert.deepEqual(titles(await Post.last(2)), ['Delta', 'Echo']);
        assert.deepEqual(titles(await Post.order('title', 'desc').last(2)), ['Bravo', 'Alpha']);
        assert.ok(ids.includes((await Post.take())!.id));
        assert.equal((await Post.take(3)).length, 3);
        assert.equal(await Post.where({ title: 'none' }).last(), null);
      });

      it('findOrCreateBy finds or creates; findOrInitializeBy builds', async () => {
        const { Tag } = ctx;
        const a = await Tag.findOrCreateBy({ name: 'js' });
        assert.equal(a.isPersisted, true);
        const b = await Tag.findOrCreateBy({ name: 'js' }, { kind: 'series' });
        assert.equal(b.id, a.id);
        assert.equal(b.kind, 'topic');
        const c = await Tag.findOrCreateBy({ name: 'ts' }, { kind: 'series' });
        assert.equal(c.kind, 'series');
        assert.equal(await Tag.count(), 2);
        const d = await Tag.findOrInitializeBy({ name: 'go' });
        assert.equal(d.isNewRecord, true);
        assert.equal(d.name, 'go');
        await assert.rejects(Tag.findOrCreateBy({ name: '' }), { code: 'STRYKE_E_ORM_RECORD_INVALID' });
        await assert.rejects(Tag.findByOrFail({ name: 'nope' }), { code: 'STRYKE_E_ORM_RECORD_NOT_FOUND', status: 404 });
      });

      it('find through a relation applies its conditions', async () => {
        const { Post } = ctx;
        assert.equal((await Post.where({ published: false }).find(ids[1])).title, 'Bravo');
        await assert.rejects(Post.where({ published: true }).find(ids[1]), { code: 'STRYKE_E_ORM_RECORD_NOT_FOUND' });
      });
    });

    describe('pages and batches', () => {
      it('paginate gives the page, the total and the page count', async () => {
        const { Post } = ctx;
        const p1 = await Post.order('id').paginate({ page: 1, perPage: 2 });
        assert.deepEqual(titles(p1.records), ['Alpha', 'Bravo']);
        assert.deepEqual({ ...p1, records: undefined }, { records: undefined, page: 1, perPage: 2, total: 5, pageCount: 3, hasNextPage: true, hasPreviousPage: false });
        const p3 = await Post.order('id').paginate({ page: '3', perPage: 2 });
        assert.deepEqual(titles(p3.records), ['Echo']);
        assert.equal(p3.hasNextPage, false);
        assert.equal(p3.hasPreviousPage, true);
        assert.deepEqual((await Post.order('id').paginate({ page: 9, perPage: 2 })).records, []);
        assert.equal((await Post.order('id').paginate({ page: 'abc', perPage: 2 })).page, 1);
        assert.equal((await Post.order('id').paginate({ page: -4, perPage: 2 })).page, 1);
        assert.equal((await Post.where({ published: true }).paginate({ perPage: 2 })).total, 3);
        await assert.rejects(Post.paginate({ perPage: 0 }), { code: 'STRYKE_E_ORM_BAD_PAGINATION' });
      });

      it('findEach and findInBatches walk by primary key in batches', async () => {
        const { Post } = ctx;
        const seen: string[] = [];
        for await (const p of Post.findEach({ batchSize: 2 })) seen.push(p.title);
        assert.deepEqual(seen, ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']);
        const selects = ctx.statements.filter((s) => s.startsWith('SELECT'));
        assert.equal(selects.length, 3);
        const sizes: number[] = [];
        for await (const batch of Post.where({ published: true }).findInBatches({ batchSize: 2 })) sizes.push(batch.length);
        assert.deepEqual(sizes, [2, 1]);
        const viaFn: number[] = [];
        await Post.order('views', 'desc').findEach((p) => void viaFn.push(p.views), { batchSize: 3 });
        assert.deepEqual(viaFn, [0, 10, 20, 30, 40], 'the primary key order replaces the relation\'s');
      });

      it('inBatches yields relations to update or delete by', async () => {
        const { Post } = ctx;
        let n = 0;
        await Post.inBatches(async (batch) => {
          n++;
          assert.ok((await batch.count()) <= 2);
          await batch.updateAll({ views: 1 });
        }, { batchSize: 2 });
        assert.equal(n, 3);
        assert.equal(await Post.where({ views: 1 }).count(), 5);
      });
    });

    describe('bulk writes', () => {
      it('updateAll with a hash or a fragment, through conditions and joins', async () => {
        const { Post } = ctx;
        assert.equal(await Post.where({ published: false }).updateAll({ views: 99, published: 'true' }), 2);
        assert.equal(await Post.where({ views: 99, published: true }).count(), 2);
        assert.equal(await Post.where({ title: 'Alpha' }).updateAll('views = views + ?', 5), 1);
        assert.equal((await Post.findBy({ title: 'Alpha' }))!.views, 5);
        assert.equal(await Post.joins('author').where({ author: { name: 'Bob' } }).updateAll({ rating: 9 }), 2);
        assert.deepEqual(await Post.where({ rating: 9 }).order('id').pluck('title'), ['Delta', 'Echo']);
        assert.equal(await Post.order('id').limit(2).updateAll({ rating: 7 }), 2);
        assert.deepEqual(await Post.where({ rating: 7 }).order('id').pluck('title'), ['Alpha', 'Bravo']);
        // @ts-expect-error: the compiler refuses it too (test/types); this is the run-time check, for untyped callers
        await assert.rejects(Post.updateAll({ nope: 1 }), { code: 'STRYKE_E_ORM_UNKNOWN_COLUMN' });
        await assert.rejects(Post.updateAll({ views: undefined }), { code: 'STRYKE_E_ORM_UNDEFINED_CONDITION' });
      });

      it('deleteAll through joins and limits', async () => {
        const { Post } = ctx;
        assert.equal(await Post.joins('author').where({ author: { name: 'Bob' } }).deleteAll(), 2);
        assert.equal(await Post.order('id', 'desc').limit(1).deleteAll(), 1);
        assert.deepEqual(await Post.order('id').pluck('title'), ['Alpha', 'Bravo']);
      });
    });

    describe('none, unscoped, lock, toSQL', () => {
      it('none matches nothing and runs no query', async () => {
        const { Post } = ctx;
        const none = Post.where({ published: true }).none();
        assert.deepEqual(await none, []);
        assert.equal(await none.count(), 0);
        assert.equal(await none.exists(), false);
        assert.deepEqual(await none.pluck('id'), []);
        assert.equal(await none.sum('views'), 0);
        assert.equal(await none.first(), null);
        assert.equal(await none.updateAll({ views: 1 }), 0);
        assert.equal(await none.deleteAll(), 0);
        assert.deepEqual(ctx.statements, []);
        assert.match(none.toSQL().sql, /1=0/);
      });

      it('unscoped drops the conditions, order and default scope', async () => {
        const { Post, Account } = ctx;
        assert.equal(await Post.where({ published: true }).order('title').unscoped().count(), 5);
        const acc = await Account.create({ name: 'Gone' });
        await acc.destroy();
        assert.equal(await Account.count(), 0);
        assert.equal(await Account.unscoped().count(), 1);
      });

      it('lock() reads FOR UPDATE inside a transaction (where the database has it)', async () => {
        const { Post } = ctx;
        const sql = Post.where({ id: ids[0] }).lock().toSQL().sql;
        if (ctx.target.name === 'sqlite') assert.doesNotMatch(sql, /FOR UPDATE/);
        else assert.match(sql, /LIMIT|FOR UPDATE$/);
        if (ctx.target.name !== 'sqlite') assert.match(Post.where({ id: ids[0] }).limit(1).lock().toSQL().sql, /LIMIT 1 FOR UPDATE$/);
        const views = await Post.transaction(async () => {
          const p = (await Post.where({ id: ids[0] }).lock().first())!;
          await p.update({ views: p.views + 1 });
          return p.views;
        });
        assert.equal(views, 1);
      });

      it('toSQL shows the statement and its binds, joined columns qualified', () => {
        const { Post, q } = ctx;
        const ph = (n: number) => (ctx.target.name === 'postgres' ? `$${n}` : '?');
        const { sql, binds } = Post.joins('author').where({ published: true, author: { name: 'Ann' } }).whereNot({ rating: null }).order('id').limit(3).offset(1).toSQL();
        assert.equal(sql, `SELECT ${q('posts')}.* FROM ${q('posts')} INNER JOIN ${q('users')} ON ${q('users')}.${q('id')} = ${q('posts')}.${q('authorId')} WHERE ${q('posts')}.${q('published')} = ${ph(1)} AND ${q('users')}.${q('name')} = ${ph(2)} AND ${q('posts')}.${q('rating')} IS NOT NULL ORDER BY ${q('posts')}.${q('id')} ASC LIMIT 3 OFFSET 1`);
        assert.equal(binds.length, 2);
        assert.equal(binds[1], 'Ann');
      });

      it('caches one statement per shape', () => {
        const { Post } = ctx;
        const a = Post.where({ title: 'x' }).order('id').toSQL();
        const b = Post.where({ title: 'y' }).order('id').toSQL();
        assert.equal(a.sql, b.sql);
        assert.deepEqual([a.binds, b.binds], [['x'], ['y']]);
        assert.notEqual(Post.where({ title: anyOf(['a', 'b']) }).toSQL().sql, Post.where({ title: anyOf(['a']) }).toSQL().sql);
      });
    });

    describe('scopes', () => {
      it('chain from the model, from relations, after joins and in or()', async () => {
        const { Post, User } = ctx;
        assert.deepEqual(titles(await Post.published().recent().limit(2)), ['Echo', 'Charlie']);
        assert.deepEqual(titles(await Post.joins('author').where({ author: { name: 'Ann' } }).published().recent()), ['Charlie', 'Alpha']);
        assert.deepEqual(titles(await Post.published().or(Post.popular(30)).order('id')), ['Alpha', 'Charlie', 'Delta', 'Echo']);
        assert.equal(await User.olderThan(35).count(), 1);
      });
    });
  });
});
