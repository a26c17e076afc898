import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gt } from 'stryke';
import type { User } from '../fixtures/blog/build/app/models/user';
import { eachDatabase } from './harness';

describe('validations, callbacks, transactions, types, dirty tracking, soft delete', async () => {
  await eachDatabase('records', (ctx) => {
    const profile = (user: User, attrs: Record<string, unknown> = {}) => new ctx.Profile({ userId: user.id, handle: 'ann', twitter: '@annie', ...attrs });

    describe('validations', () => {
      it('absence with if, presence with unless, exclusion, format', async () => {
        const u = await ctx.user();
        const p = profile(u, { hidden: true, website: 'https://example.com', twitter: null });
        assert.equal(await p.save(), false);
        assert.deepEqual(p.errors.fullMessages, ['Website must be blank']);
        p.assign({ hidden: false, website: null });
        assert.equal(await p.isValid(), false);
        assert.deepEqual(p.errors.fullMessages, ["Twitter can't be blank"]);
        p.assign({ twitter: '@x', handle: 'admin' });
        await p.isValid();
        assert.deepEqual(p.errors.fullMessages, ['Handle is reserved']);
        p.assign({ handle: 'no spaces!' });
        await p.isValid();
        assert.deepEqual(p.errors.on('handle'), ['is invalid']);
        p.assign({ handle: 'fine' });
        assert.equal(await p.save(), true);
      });

      it('uniqueness is checked in the database, case-insensitively, and scoped', async () => {
        const u = await ctx.user();
        const v = await ctx.user();
        await profile(u, { handle: 'Ann' }).saveOrFail();
        const dup = profile(v, { handle: 'ANN', twitter: '@other' });
        assert.equal(await dup.save(), false);
        assert.deepEqual(dup.errors.fullMessages, ['Handle has already been taken']);
        const mine = (await ctx.Profile.findBy({ userId: u.id }))!;
        assert.equal(await mine.update({ about: 'me' }), true, 'a record does not clash with itself');

        const { Tag } = ctx;
        await Tag.create({ name: 'ruby' });
        assert.equal((await Tag.create({ name: 'Ruby', kind: 'series' })).kind, 'series', 'another scope');
        await assert.rejects(Tag.create({ name: 'RUBY' }), (err: any) => err.code === 'STRYKE_E_ORM_RECORD_INVALID' && /Name has already been taken/.test(err.message));
      });

      it('confirmation, when the confirmation is given', async () => {
        const u = await ctx.user();
        const p = profile(u, { pin: '1234', pinConfirmation: '9999' });
        assert.equal(await p.save(), false);
        assert.deepEqual(p.errors.toJSON(), { pinConfirmation: ["doesn't match Pin"] });
        p.assign({ pinConfirmation: '1234' });
        assert.equal(await p.save(), true);
        const q = await ctx.Profile.find(p.id);
        q.pin = '5555';
        assert.equal(await q.save(), true, 'no confirmation given: not checked');
        const user = new ctx.User({ email: 'a@example.com', emailConfirmation: 'b@example.com', name: 'Al' });
        assert.equal(await user.save(), false);
        assert.deepEqual(user.errors.fullMessages, ["Email confirmation doesn't match Email"]);
      });

      it('custom methods, on create / on update, required belongsTo, enums', async () => {
        const u = await ctx.user();
        const p = profile(u, { handle: 'annie', twitter: '@Annie' });
        assert.equal(await p.save(), false);
        assert.deepEqual(p.errors.fullMessages, ['Handle must differ from the Twitter name']);
        p.assign({ handle: 'ann2', about: 'forbidden on create' });
        await p.isValid();
        assert.deepEqual(p.errors.fullMessages, ['About is not allowed on create']);
        p.assign({ about: 'x'.repeat(30) });
        assert.equal(await p.save(), true, 'the length rule is on update only');
        assert.equal(await p.update({ about: 'y'.repeat(30) }), false);
        assert.deepEqual(p.errors.fullMessages, ['About is too long (maximum is 20 characters)']);
        assert.equal(await p.update({ about: 'forbidden on create' }), true);

        const orphan = new ctx.Profile({ handle: 'orphan', twitter: '@o' });
        assert.equal(await orphan.save(), false);
        assert.deepEqual(orphan.errors.fullMessages, ['User must exist']);
        const viaRecord = new ctx.Profile({ handle: 'viarecord', twitter: '@v', user: u });
        assert.equal(await viaRecord.isValid(), true);

        const t = new ctx.Tag({ name: 'x', kind: 'nope' });
        assert.equal(await t.save(), false);
        assert.deepEqual(t.errors.fullMessages, ['Kind is not included in the list']);
      });

      it('save({ validate: false }) skips validations', async () => {
        const t = new ctx.Tag({ name: '' });
        assert.equal(await t.save({ validate: false }), true);
        assert.equal(await ctx.Tag.count(), 1);
      });
    });

    describe('callbacks', () => {
      it('run in order around validation, create and update', async () => {
        const { Profile } = ctx;
        const u = await ctx.user();
        Profile.log = [];
        const bad = profile(u, { handle: '' });
        assert.equal(await bad.save(), false);
        assert.deepEqual(Profile.log, ['afterValidation:1'], 'afterValidation runs, with the errors; nothing after');
        Profile.log = [];
        const p = await profile(u).saveOrFail();
        assert.deepEqual(Profile.log, ['afterValidation:0', 'beforeCreate', 'afterSave:true']);
        Profile.log = [];
        await p.update({ about: 'hi' });
        assert.deepEqual(Profile.log, ['afterValidation:0', 'beforeUpdate:about', 'afterUpdate', 'afterSave:true']);
      });

      it('afterCommit runs after the save commits; a throw in a before callback halts and writes nothing', async () => {
        const { Tag, Account } = ctx;
        const t = await Tag.create({ name: 'ruby' });
        assert.deepEqual(Tag.events, ['commit:ruby']);
        await t.update({ name: 'rails' });
        await t.destroy();
        assert.deepEqual(Tag.events, ['commit:ruby', 'commit:rails', 'commit:rails', 'commit-destroy:rails']);

        const frozen = new Account({ name: 'frozen' });
        assert.equal(await frozen.save(), false, 'Abort halts the chain: save is false');
        assert.deepEqual(frozen.errors.fullMessages, ['Frozen accounts cannot be saved']);
        await assert.rejects(new Account({ name: 'frozen' }).saveOrFail(), { code: 'STRYKE_E_ORM_RECORD_NOT_SAVED', status: 422 });
        await assert.rejects(Account.create({ name: 'explode' }), /boom/);
        assert.equal(await Account.unscoped().count(), 0);
        assert.deepEqual(Account.events, []);
      });
    });

    describe('transactions', () => {
      it('commits, returns the value, and rolls back on a throw', async () => {
        const { Tag, Post } = ctx;
        const n = await Tag.transaction(async () => {
          await Tag.create({ name: 'a' });
          await Tag.create({ name: 'b' });
          return Tag.count();
        });
        assert.equal(n, 2);
        await assert.rejects(Post.transaction(async () => {
          await Tag.create({ name: 'c' });
          throw new Error('nope');
        }), /nope/);
        assert.deepEqual((await Tag.order('name').pluck('name')), ['a', 'b']);
        assert.deepEqual(Tag.events, ['commit:a', 'commit:b', 'rollback:c']);
      });

      it('afterCommit waits for the outermost commit', async () => {
        const { Tag } = ctx;
        await Tag.transaction(async () => {
          await Tag.create({ name: 'inner' });
          assert.deepEqual(Tag.events, []);
        });
        assert.deepEqual(Tag.events, ['commit:inner']);
      });

      it('nested transactions are savepoints: an inner throw undoes only the inner work', async () => {
        const { Tag } = ctx;
        await Tag.transaction(async () => {
          await Tag.create({ name: 'outer' });
          await assert.rejects(Tag.transaction(async () => {
            await Tag.create({ name: 'inner' });
            assert.equal(await Tag.count(), 2);
            throw new Error('inner fails');
          }), /inner fails/);
          await Tag.transaction(async () => {
            await Tag.create({ name: 'kept' });
          });
          assert.equal(await Tag.count(), 2);
        });
        assert.deepEqual(await Tag.order('name').pluck('name'), ['kept', 'outer']);
        assert.deepEqual(Tag.events.sort(), ['commit:kept', 'commit:outer', 'rollback:inner']);
      });

      it('statements inside use the transaction connection; others do not see its rows before the commit', async () => {
        const { Tag } = ctx;
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let inside = -1;
        const tx = Tag.transaction(async () => {
          await Tag.create({ name: 'pending' });
          inside = await Tag.count();
          await gate;
        });
        while (inside < 0) await new Promise((r) => setTimeout(r, 5));
        assert.equal(inside, 1);
        const outside = Tag.count();
        if (ctx.target.name !== 'sqlite') assert.equal(await outside, 0, 'not visible outside before the commit');
        release();
        await tx;
        // SQLite has one connection: the outside read waited for the commit.
        if (ctx.target.name === 'sqlite') assert.equal(await outside, 1);
        assert.equal(await Tag.count(), 1);
      });

      it('concurrent transactions do not interleave on one connection', async () => {
        const { Tag } = ctx;
        await Promise.all(['a', 'b', 'c'].map((name, i) => Tag.transaction(async () => {
          await Tag.create({ name });
          await new Promise((r) => setTimeout(r, 5 * (3 - i)));
          if (name === 'b') throw new Error('b fails');
        }).catch(() => undefined)));
        assert.deepEqual(await Tag.order('name').pluck('name'), ['a', 'c']);
      });

      it('a failing save inside a transaction rolls the whole transaction back when it propagates', async () => {
        const { Tag, Account } = ctx;
        await assert.rejects(Tag.transaction(async () => {
          await Tag.create({ name: 'first' });
          await Account.create({ name: 'explode' });
        }), /boom/);
        assert.equal(await Tag.count(), 0);
      });
    });

    describe('field types', () => {
      it('uuid keys, decimals as exact strings, bigints, enums', async () => {
        const { Account } = ctx;
        const a = await Account.create({ name: 'Main', balance: '1234567890.12', visits: 9007199254740993n, status: 'suspended' });
        assert.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        const f = await Account.find(a.id);
        assert.strictEqual(f.balance, '1234567890.12');
        assert.strictEqual(f.visits, 9007199254740993n);
        assert.strictEqual(f.status, 'suspended');
        const b = await Account.create({ name: 'Other', balance: '0.5' });
        assert.strictEqual((await Account.find(b.id)).balance, '0.50');
        assert.strictEqual((await Account.find(b.id)).visits, 0n);
        assert.strictEqual(await Account.sum('balance'), '1234567890.62');
        assert.strictEqual((await Account.where({ visits: 9007199254740993n }).pluck('name'))[0], 'Main');
        assert.deepEqual((await Account.where({ visits: gt(10) }).pluck('visits')), [9007199254740993n]);
        await assert.rejects(Account.find('not-a-uuid'), { code: 'STRYKE_E_ORM_RECORD_NOT_FOUND' });
        await assert.rejects(Account.create({ name: 'Bad', status: 'weird' }), /Status is not included in the list/);
        assert.deepEqual(JSON.parse(JSON.stringify(f)).visits, '9007199254740993');
      });
    });

    describe('dirty tracking', () => {
      it('changed(), changes, attributeWas, previousChanges; an update writes only the changed columns', async () => {
        const { Post } = ctx;
        const u = await ctx.user();
        const created = await ctx.post(u, { title: 'Before', tags: ['a'] });
        assert.deepEqual(created.changed(), []);
        assert.deepEqual(Object.keys(created.previousChanges).includes('title'), true);
        const p = await Post.find(created.id);
        assert.deepEqual(p.changed(), []);
        assert.equal(p.hasChanges(), false);
        // Timestamps have millisecond resolution: an update in the creation's millisecond keeps updatedAt as it was.
        while (Date.now() <= created.updatedAt.getTime()) await new Promise((r) => setTimeout(r, 1));
        p.title = 'After';
        p.views = 0; // unchanged value
        assert.deepEqual(p.changed(), ['title']);
        assert.deepEqual(p.changes, { title: ['Before', 'After'] });
        assert.equal(p.attributeWas('title'), 'Before');
        ctx.statements.length = 0;
        await p.save();
        const update = ctx.statements.find((s) => s.startsWith('UPDATE'))!;
        const q = ctx.q;
        assert.match(update, new RegExp(`^UPDATE ${q('posts')} SET ${q('title')} = \\S+, ${q('slug')} = \\S+, ${q('updatedAt')} = \\S+ WHERE`.replace(/[`"]/g, (c) => c)));
        assert.deepEqual(Object.keys(p.previousChanges).sort(), ['slug', 'title', 'updatedAt']);
        assert.deepEqual(p.changed(), []);
        // Nothing changed: no UPDATE at all (and updatedAt stays).
        ctx.statements.length = 0;
        const at = p.updatedAt.getTime();
        await p.save();
        assert.deepEqual(ctx.statements.filter((s) => s.startsWith('UPDATE')), []);
        assert.equal(p.updatedAt.getTime(), at);
        // A json value changed in place is seen.
        p.tags!.push('b');
        assert.deepEqual(p.changed(), ['tags']);
        await p.save();
        assert.deepEqual((await Post.find(p.id)).tags, ['a', 'b']);
        const r = await Post.find(p.id);
        r.tags!.push('c');
        r.title = 'Changed';
        r.restoreAttributes();
        assert.deepEqual([r.title, r.tags], ['After', ['a', 'b']]);
        const fresh = new Post({ title: 'New' });
        assert.deepEqual(fresh.changed(), ['title']);
      });

      it('two copies of a row each write only their own changes', async () => {
        const { Post } = ctx;
        const u = await ctx.user();
        const p = await ctx.post(u, { title: 'Shared', views: 1 });
        const a = await Post.find(p.id);
        const b = await Post.find(p.id);
        a.views = 50;
        await a.save();
        b.rating = 4.5;
        await b.save();
        const f = await Post.find(p.id);
        assert.equal(f.views, 50);
        assert.equal(f.rating, 4.5);
      });
    });

    describe('record helpers', () => {
      it('updateColumns and touch write straight to the row; destroyAll runs callbacks; preload loads onto records', async () => {
        const { Post, Tag } = ctx;
        const u = await ctx.user();
        const p = await ctx.post(u, { title: 'Columns' });
        ctx.Post.events = [];
        await p.updateColumns({ views: 5 });
        assert.deepEqual(Post.events, [], 'no callbacks');
        assert.equal((await Post.find(p.id)).views, 5);
        assert.deepEqual(p.changed(), []);
        const before = (await Post.find(p.id)).updatedAt.getTime();
        await new Promise((r) => setTimeout(r, 5));
        await p.touch();
        assert.ok((await Post.find(p.id)).updatedAt.getTime() > before);

        await Tag.create({ name: 'a' });
        await Tag.create({ name: 'b' });
        ctx.Tag.events = [];
        const gone = await Tag.where({ name: 'a' }).destroyAll();
        assert.deepEqual(gone.map((t) => t.name), ['a']);
        assert.deepEqual(Tag.events, ['commit:a', 'commit-destroy:a']);
        assert.deepEqual(await Tag.pluck('name'), ['b']);

        const posts = await Post.all();
        await Post.preload(posts, 'author');
        assert.equal(posts[0]!.author.id, u.id);
      });

      it('a relation builds and creates with its equality conditions', async () => {
        const { Tag } = ctx;
        const built = Tag.where({ kind: 'series' }).build({ name: 'x' });
        assert.equal(built.kind, 'series');
        const created = await Tag.where({ kind: 'series', name: 'y' }).create();
        assert.deepEqual([created.kind, created.name, created.isPersisted], ['series', 'y', true]);
      });
    });

    describe('soft delete', () => {
      it('destroy marks the row; queries leave it out unless withDeleted/onlyDeleted; restore and reallyDestroy', async () => {
        const { Account } = ctx;
        const a = await Account.create({ name: 'Keep' });
        const b = await Account.create({ name: 'Drop' });
        await b.destroy();
        assert.ok(b.deletedAt instanceof Date);
        assert.equal(b.isDeleted, true);
        assert.equal(b.isDestroyed, true);
        assert.deepEqual(await Account.pluck('name'), ['Keep']);
        assert.equal(await Account.count(), 1);
        await assert.rejects(Account.find(b.id), { code: 'STRYKE_E_ORM_RECORD_NOT_FOUND' });
        assert.equal(await Account.findBy({ name: 'Drop' }), null);
        assert.deepEqual((await Account.withDeleted().order('name').pluck('name')), ['Drop', 'Keep']);
        assert.deepEqual((await Account.onlyDeleted().pluck('name')), ['Drop']);
        const back = (await Account.onlyDeleted().first())!;
        await back.restore();
        assert.equal(back.isDeleted, false);
        assert.equal(await Account.count(), 2);
        await a.reallyDestroy();
        assert.equal(await Account.withDeleted().count(), 1);
      });
    });
  });
});
