import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ormSettings } from 'stryke/orm';
import type { Post } from '../fixtures/blog/build/app/models/post';
import type { Tag } from '../fixtures/blog/build/app/models/tag';
import type { User } from '../fixtures/blog/build/app/models/user';
import { eachDatabase } from './harness';

const selects = (statements: string[]) => statements.filter((s) => /^SELECT/i.test(s));

describe('associations and loading', async () => {
  await eachDatabase('assoc', (ctx) => {
    let ann: User;
    let bob: User;
    let p1: Post;
    let p2: Post;
    let p3: Post;
    let ruby: Tag;
    let js: Tag;
    beforeEach(async () => {
      const { Comment, Tag, Tagging, Profile } = ctx;
      ann = await ctx.user({ name: 'Ann' });
      bob = await ctx.user({ name: 'Bob' });
      p1 = await ctx.post(ann, { title: 'First' });
      p2 = await ctx.post(ann, { title: 'Second' });
      p3 = await ctx.post(bob, { title: 'Third' });
      await Comment.create({ postId: p1.id, userId: bob.id, body: 'Nice' });
      await Comment.create({ postId: p1.id, userId: null, body: 'Anonymous' });
      await Comment.create({ postId: p3.id, userId: ann.id, body: 'Hm' });
      ruby = await Tag.create({ name: 'ruby' });
      js = await Tag.create({ name: 'js' });
      await Tagging.create({ postId: p1.id, tagId: ruby.id });
      await Tagging.create({ postId: p1.id, tagId: js.id });
      await Tagging.create({ postId: p3.id, tagId: js.id });
      await Profile.create({ userId: ann.id, handle: 'ann', twitter: '@annie' });
      ctx.statements.length = 0;
    });

    describe('hasOne and hasMany through', () => {
      it('hasOne loads the one record (or null), by includes and lazily', async () => {
        const { User } = ctx;
        const users = await User.includes('profile').order('id');
        assert.equal(selects(ctx.statements).length, 2);
        assert.equal(users[0]!.profile!.handle, 'ann');
        assert.equal(users[1]!.profile, null);
        const fresh = await User.find(ann.id);
        assert.equal((await fresh.profile)!.handle, 'ann', 'await loads it');
        assert.equal(fresh.profile!.handle, 'ann');
        assert.equal(fresh.isLoaded('profile'), true);
      });

      it('hasMany through a join model (belongsTo source), through hasMany (hasMany source), hasOne through belongsTo', async () => {
        const { Post, Tag, User } = ctx;
        const posts = await Post.includes('labels').order('id');
        assert.equal(selects(ctx.statements).length, 3, 'posts, taggings, tags');
        assert.deepEqual(posts.map((p) => p.labels.map((t) => t.name).sort()), [['js', 'ruby'], [], ['js']]);
        const tags = await Tag.includes('posts').order('name');
        assert.deepEqual(tags.map((t) => t.posts.map((p) => p.title).sort()), [['First', 'Third'], ['First']]);
        const users = await User.includes('postComments').order('id');
        assert.deepEqual(users.map((u) => u.postComments.map((c) => c.body).sort()), [['Anonymous', 'Nice'], ['Hm']]);
        const withProfile = await Post.includes('authorProfile').order('id');
        assert.deepEqual(withProfile.map((p) => p.authorProfile?.handle ?? null), ['ann', 'ann', null]);
        // The through association is not left loaded on the owner.
        assert.equal(posts[0]!.isLoaded('taggings'), false);
        // related() queries through too.
        assert.deepEqual((await p1.related('labels').order('name')).map((t: Tag) => t.name), ['js', 'ruby']);
        assert.deepEqual((await ann.related('postComments').order('id')).map((c: any) => c.body), ['Nice', 'Anonymous']);
        assert.equal(await js.related('posts').count(), 2);
        assert.equal((await p1.related('authorProfile').first())!.handle, 'ann');
      });
    });

    describe('nested includes', () => {
      it('loads a tree with one query per association, matched by key', async () => {
        const { Post, User } = ctx;
        const posts = await Post.includes('author', { comments: ['user', { post: 'author' }] }, { taggings: 'tag' }).order('id');
        // posts, author, comments, comments.user, comments.post, comments.post.author, taggings, taggings.tag
        assert.equal(selects(ctx.statements).length, 8, selects(ctx.statements).join('\n'));
        assert.deepEqual(posts.map((p) => p.comments.map((c) => c.user?.name ?? null).sort()), [['Bob', null], [], ['Ann']]);
        assert.equal(posts[0]!.comments[0]!.post.author.name, 'Ann');
        assert.deepEqual(posts[0]!.taggings.map((t) => t.tag.name).sort(), ['js', 'ruby']);
        const users = await User.includes({ posts: { comments: 'user' } }).order('id');
        assert.equal(users[1]!.posts[0]!.comments[0]!.user!.name, 'Ann');
        // @ts-expect-error: the compiler refuses it too (test/types); this is the run-time check, for untyped callers
        assert.throws(() => Post.includes({ comments: 'nope' }), { code: 'STRYKE_E_ORM_UNKNOWN_ASSOCIATION' });
        // load() takes the same specs, on one record.
        const one = await Post.find(p1.id);
        await one.load({ comments: 'user' });
        assert.deepEqual(one.comments.map((c) => c.user?.name ?? null).sort(), ['Bob', null]);
      });

      it('includes of many owners matches children in linear time', async () => {
        const { Post, Comment } = ctx;
        const posts = [];
        for (let i = 0; i < 30; i++) posts.push(await ctx.post(bob, { title: `Bulk ${i}` }));
        for (const p of posts) await Comment.create({ postId: p.id, body: `on ${p.title}` });
        ctx.statements.length = 0;
        const loaded = await Post.where({ authorId: bob.id }).includes('comments').order('id');
        assert.equal(selects(ctx.statements).length, 2);
        for (const p of loaded.slice(1)) assert.deepEqual(p.comments.map((c) => c.body), [`on ${p.title}`]);
      });
    });

    describe('building and creating through associations', () => {
      it('post.comments.create / build, loaded or not', async () => {
        const { Post, Comment } = ctx;
        const post = await Post.find(p2.id);
        const c = await post.comments.create({ body: 'Created through' });
        assert.equal(c.postId, p2.id);
        assert.equal(c.isPersisted, true);
        await post.load('comments');
        const built = post.comments.build({ body: 'Built' });
        assert.equal(built.postId, p2.id);
        assert.equal(built.isNewRecord, true);
        assert.equal(post.comments.length, 2, 'build adds to the loaded collection');
        const again = await post.comments.create({ body: 'Another' });
        assert.ok(post.comments.includes(again));
        assert.equal(await Comment.where({ postId: p2.id }).count(), 2);
        await assert.rejects(post.comments.create({ body: '' }), { code: 'STRYKE_E_ORM_RECORD_INVALID' });
        await assert.rejects(new Post({ title: 'New', body: 'b' }).comments.create({ body: 'x' }), { code: 'STRYKE_E_ORM_OWNER_NOT_SAVED' });
        // A relation builds with its equality conditions.
        const viaRelated = await p2.related('comments').create({ body: 'Via related' });
        assert.equal(viaRelated.postId, p2.id);
      });

      it('create through a join model writes the target and the join row', async () => {
        const { Post, Tagging } = ctx;
        const post = await Post.find(p2.id);
        const tag = await post.labels.create({ name: 'go' });
        assert.equal(tag.isPersisted, true);
        assert.equal(await Tagging.where({ postId: p2.id, tagId: tag.id }).count(), 1);
        assert.deepEqual((await Post.includes('labels').find(p2.id)).labels.map((t) => t.name), ['go']);
      });

      it('hasOne create through association(); belongsTo create', async () => {
        const { User, Profile } = ctx;
        const u = await User.find(bob.id);
        const handle = u.association('profile');
        assert.equal(handle.loaded, false);
        assert.equal(handle.target, undefined);
        const profile = await handle.create({ handle: 'bob', twitter: '@bobby' });
        const again = u.association('profile');
        assert.ok(again.loaded && again.target!.handle === 'bob', 'typed: target is the Profile once loaded');
        assert.equal(profile.userId, bob.id);
        assert.equal(u.profile!.handle, 'bob');
        assert.equal(await Profile.count(), 2);
        const c = new ctx.Comment({ body: 'x', postId: p1.id });
        const author = await c.association('user').create({ email: 'new@example.com', name: 'Newt' });
        assert.equal(c.userId, author.id);
      });
    });

    describe('dependent', () => {
      it("destroy runs each dependent's destroy (and theirs); nullify sets the key to NULL", async () => {
        const { Post, Tag, Tagging, User, Profile, Comment } = ctx;
        // Post hasMany taggings, dependent destroy: the join rows go (there is no ON DELETE in the schema).
        await (await Post.find(p1.id)).destroy();
        assert.equal(await Tagging.where({ postId: p1.id }).count(), 0);
        assert.equal(await Tagging.count(), 1);
        // Tag hasMany taggings, dependent destroy.
        await (await Tag.find(js.id)).destroy();
        assert.equal(await Tagging.count(), 0);
        // User hasOne profile (destroy) and hasMany comments (nullify).
        ctx.statements.length = 0;
        const annC = await Comment.findBy({ body: 'Hm' });
        await (await User.find(ann.id)).destroy();
        assert.equal(await Profile.count(), 0);
        assert.ok(ctx.statements.some((s) => s.startsWith(`UPDATE ${ctx.q('comments')} SET ${ctx.q('userId')} =`)), ctx.statements.join('\n'));
        assert.equal((await Comment.find(annC!.id)).userId, null);
      });
    });

    describe('N+1 detection and strict loading', () => {
      it('repeated lazy loads from records loaded together throw STRYKE_E_ORM_N_PLUS_ONE in test, naming the includes', async () => {
        const { Post, Comment } = ctx;
        const posts = await Post.order('id');
        await posts[0]!.load('author');
        await assert.rejects(posts[1]!.load('author'), (err: any) => {
          assert.equal(err.code, 'STRYKE_E_ORM_N_PLUS_ONE');
          assert.match(err.message, /Post#author/);
          assert.match(err.message, /\.includes\('author'\)/);
          return true;
        });
        // await on the unloaded association is a lazy load too.
        await posts[0]!.comments;
        await assert.rejects(async () => posts[2]!.comments, { code: 'STRYKE_E_ORM_N_PLUS_ONE' });
        // Nested: the hint is the nested includes.
        const withComments = await Post.includes('comments').order('id');
        const comments = withComments.flatMap((p) => [...p.comments]);
        await comments[0]!.load('user');
        await assert.rejects(comments[1]!.load('user'), (err: any) => /\.includes\(\{ comments: 'user' \}\)/.test(err.message));
        // One record on its own is no N+1, however often.
        const one = await Post.find(p1.id);
        await one.load('author');
        await one.load('author');
        const single = await Comment.where({ body: 'Hm' });
        await single[0]!.load('post');
      });

      it('warns in development, once per batch and association, and costs nothing in production', async () => {
        const { Post } = ctx;
        ormSettings.nPlusOne = 'warn';
        const posts = await Post.order('id');
        for (const p of posts) await p.load('author');
        assert.equal(ctx.warnings.length, 1);
        assert.match(ctx.warnings[0]!, /N\+1 query: Post#author .* Add \.includes\('author'\)/);
        ormSettings.nPlusOne = 'off';
        const again = await Post.order('id');
        for (const p of again) await p.load('author');
        assert.equal(ctx.warnings.length, 1);
        assert.equal(Object.getOwnPropertySymbols(again[0]!).some((s) => s.description === 'stryke.batch'), false);
      });

      it('strictLoading refuses lazy loads, from a relation, a record or a model', async () => {
        const { Post, Tagging } = ctx;
        const [p] = await Post.strictLoading().where({ id: p1.id });
        await assert.rejects(p!.load('author'), { code: 'STRYKE_E_ORM_STRICT_LOADING' });
        await assert.rejects(async () => p!.author, { code: 'STRYKE_E_ORM_STRICT_LOADING' });
        const [q] = await Post.strictLoading().includes('author').where({ id: p1.id });
        assert.equal(q!.author.name, 'Ann');
        const r = (await Post.find(p1.id)).strictLoading();
        await assert.rejects(r.load('comments'), { code: 'STRYKE_E_ORM_STRICT_LOADING' });
        // Tagging is declared @Model('taggings', { strictLoading: true }).
        const t = await Tagging.first();
        await assert.rejects(t!.load('tag'), /Tagging#tag was lazily loaded/);
        assert.equal((await Tagging.includes('tag').first())!.tag.name.length > 0, true);
        const loose = (await Tagging.strictLoading(false).first())!;
        await loose.load('tag');
      });

      it('an unloaded association is marked: loaded false, reading throws, JSON leaves it out', async () => {
        const { Post } = ctx;
        const p = await Post.find(p1.id);
        assert.equal((p.comments as any).loaded, false);
        assert.equal(p.isLoaded('comments'), false);
        assert.throws(() => p.comments.length, { code: 'STRYKE_E_ORM_ASSOCIATION_NOT_LOADED' });
        assert.throws(() => [...p.comments], { code: 'STRYKE_E_ORM_ASSOCIATION_NOT_LOADED' });
        assert.equal('comments' in p.toJSON(), false);
        await p.load('comments');
        assert.equal(p.comments.loaded, true);
        assert.equal(JSON.parse(JSON.stringify(p)).comments.length, 2);
      });
    });
  });
});
