import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { anyOf, Field } from 'stryke';
import { dropDatabase } from 'stryke/migrations';
import { createTestApp, type TestApp } from 'stryke/testing';
import { databaseTargets } from '../support/databases';
// Types only: the classes themselves come from the fixture's build, as the app loads them.
import type { Comment as CommentModel } from '../fixtures/blog/build/app/models/comment';
import type { Post as PostModel } from '../fixtures/blog/build/app/models/post';
import type { User as UserModel } from '../fixtures/blog/build/app/models/user';

const root = resolve(__dirname, '../../../test/fixtures/blog');
const dir = mkdtempSync(join(tmpdir(), 'stryke-models-'));
process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);

function models() {
  const load = (name: string) => require(join(root, 'build', 'app', 'models', `${name}.js`));
  return {
    User: load('user').User as typeof UserModel,
    Post: load('post').Post as typeof PostModel,
    Comment: load('comment').Comment as typeof CommentModel,
  };
}

const EVIL = "Robert'); DROP TABLE posts; --";

describe('field declarations', () => {
  it('a field whose TypeScript type is a union or an object needs its type named', () => {
    assert.throws(() => {
      class Ambiguous {
        @Field() lastSeenAt!: Date | null;
      }
      return Ambiguous;
    }, (err: any) => err.code === 'STRYKE_E_ORM_AMBIGUOUS_TYPE' && /Ambiguous\.lastSeenAt/.test(err.message));
    class Named {
      @Field('datetime') lastSeenAt!: Date | null;
      @Field() tags!: string[];
    }
    assert.ok(Named);
  });
});

describe('models', async () => {
  const targets = await databaseTargets('models', dir);
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const target of targets) {
    describe(target.name, { skip: target.skip }, () => {
      let app: TestApp;
      let User: typeof UserModel;
      let Post: typeof PostModel;
      let Comment: typeof CommentModel;
      /** The SQL statements run since the last `beforeEach`. */
      let statements: string[] = [];

      before(async () => {
        app = await createTestApp({ root, database: target.config });
        ({ User, Post, Comment } = models());
        const execute = app.db.execute.bind(app.db);
        // Every statement without an explicit query runner goes through execute (run too).
        app.db.execute = (sql, binds, arrays) => {
          statements.push(sql);
          return execute(sql, binds, arrays);
        };
      });

      beforeEach(async () => {
        await app.reset();
        Post.events = [];
        statements = [];
      });

      after(async () => {
        await app?.close();
        await dropDatabase(target.config, root);
      });

      const user = (attrs: Record<string, unknown> = {}) =>
        User.create({ email: `u${Math.random().toString(36).slice(2)}@example.com`, name: 'Ann', ...attrs });
      const post = (author: UserModel, attrs: Record<string, unknown> = {}) =>
        Post.create({ title: 'Hello world', body: 'Body text', authorId: author.id, ...attrs });

      describe('create and find', () => {
        it('inserts a record, fills its id and defaults, and finds it again', async () => {
          const u = await user({ name: 'Ann' });
          assert.equal(typeof u.id, 'number');
          assert.ok(u.id > 0);
          assert.equal(u.isPersisted, true);
          assert.equal(u.isNewRecord, false);
          assert.equal(u.role, 'member');
          assert.equal(u.active, true);
          assert.equal(u.score, 0);
          assert.equal(u.age, null);
          assert.ok(u.createdAt instanceof Date);
          assert.ok(u.updatedAt instanceof Date);

          const found = await User.find(u.id);
          assert.equal(found.id, u.id);
          assert.equal(found.name, 'Ann');
          assert.equal(found.email, u.email);
          assert.equal(found.isPersisted, true);
          assert.equal((await User.find(String(u.id))).id, u.id);
        });

        it('takes defaults the database declares but the model does not', async () => {
          const u = await user();
          const p = await Post.create({ title: 'Defaults', body: 'b', authorId: u.id });
          assert.equal(p.published, false);
          assert.equal(p.views, 0);
          assert.equal(p.rating, null);
          assert.equal(p.tags, null);
          assert.equal(p.publishedAt, null);
        });

        it('new + save inserts once, a second save updates', async () => {
          const u = await user();
          const p = new Post({ title: 'Draft', body: 'b', authorId: u.id });
          assert.equal(p.isNewRecord, true);
          assert.equal(await p.save(), true);
          const id = p.id;
          p.title = 'Draft 2';
          assert.equal(await p.save(), true);
          assert.equal(p.id, id);
          assert.equal(await Post.count(), 1);
          assert.equal((await Post.find(id)).title, 'Draft 2');
        });

        it('findBy returns the first match or null', async () => {
          const u = await user({ name: 'Zed' });
          assert.equal((await User.findBy({ name: 'Zed' }))!.id, u.id);
          assert.equal(await User.findBy({ name: 'Nobody' }), null);
        });

        it('keeps a createdAt that was given', async () => {
          const u = await user();
          const at = new Date('2020-05-06T07:08:09.000Z');
          const p = await post(u, { createdAt: at });
          assert.equal((await Post.find(p.id)).createdAt.toISOString(), at.toISOString());
          assert.ok(p.updatedAt.getTime() > at.getTime());
        });
      });

      describe('types', () => {
        it('round-trips booleans, numbers, dates, json and text with their JS types', async () => {
          const u = await user({ settings: { theme: 'dark', n: 1, nested: { ok: true }, list: [1, 'two'] }, age: 42, score: 2.5 });
          const at = new Date('2026-01-02T03:04:05.678Z');
          const on = await post(u, { published: true, views: 7, rating: 4.25, tags: ['a', 'b'], publishedAt: at, body: 'ünïcödé ✓ "quoted"\nline' });
          const off = await post(u, { published: false });

          for (const p of [on, await Post.find(on.id)]) {
            assert.strictEqual(p.published, true);
            assert.strictEqual(p.views, 7);
            assert.strictEqual(p.rating, 4.25);
            assert.deepEqual(p.tags, ['a', 'b']);
            assert.ok(p.publishedAt instanceof Date);
            assert.equal(p.publishedAt!.toISOString(), at.toISOString());
            assert.equal(p.body, 'ünïcödé ✓ "quoted"\nline');
            assert.strictEqual(p.authorId, u.id);
            assert.ok(p.createdAt instanceof Date);
          }
          const offFound = await Post.find(off.id);
          assert.strictEqual(offFound.published, false);
          assert.strictEqual(offFound.views, 0);

          const uf = await User.find(u.id);
          assert.deepEqual(uf.settings, { theme: 'dark', n: 1, nested: { ok: true }, list: [1, 'two'] });
          assert.strictEqual(uf.age, 42);
          assert.strictEqual(uf.score, 2.5);
          assert.strictEqual(uf.active, true);
          assert.strictEqual(uf.lastSeenAt, null);
          assert.strictEqual(uf.bio, null);
          assert.strictEqual(uf.birthday, null);
          assert.equal(uf.createdAt.getTime(), u.createdAt.getTime());
        });

        it('round-trips every JSON value in a json field: strings (also JSON-looking ones), numbers, booleans, null, arrays, objects', async () => {
          // Assigned, text that reads as JSON is taken as the value it encodes (a form's input): those strings
          // are written as JSON by hand, the others assigned too.
          const jsonLooking = ['123', '{"a":1}', 'true', 'null', '"quoted"'];
          const values: unknown[] = ['hello', '', ' spaced ', 'ünï ✓', ...jsonLooking, 42, 0, -3.5, true, false, null, [], [1, 'two', null], {}, { a: { b: [null, 'x'] } }];
          const { placeholder, quote } = app.db.dialect;
          for (const value of values) {
            const label = JSON.stringify(value);
            let u: UserModel;
            if (jsonLooking.includes(value as string)) {
              u = await user();
              await app.db.run(`UPDATE ${quote('users')} SET ${quote('settings')} = ${placeholder(1)} WHERE id = ${placeholder(2)}`, [JSON.stringify(value), u.id]);
            } else {
              u = await user({ settings: value });
              assert.deepStrictEqual(u.settings, value, `created ${label}`);
              const created = await User.transaction(() => user({ settings: value }));
              assert.deepStrictEqual(created.settings, value, `created in a transaction ${label}`);
            }
            assert.deepStrictEqual((await User.find(u.id)).settings, value, `find ${label}`);
            const [byWhere] = await User.where({ id: u.id });
            assert.deepStrictEqual(byWhere!.settings, value, `where ${label}`);
            assert.deepStrictEqual(byWhere!.changed(), [], `unchanged after read ${label}`);
            assert.deepStrictEqual(await User.where({ id: u.id }).pluck('settings'), [value], `pluck ${label}`);
            const inTransaction = await User.transaction(async () => [(await User.find(u.id)).settings, (await User.where({ id: u.id }))[0]!.settings]);
            assert.deepStrictEqual(inTransaction, [value, value], `in a transaction ${label}`);
            await u.reload();
            assert.deepStrictEqual(u.settings, value, `reload ${label}`);
            byWhere!.name = 'Renamed';
            assert.deepStrictEqual(byWhere!.changed(), ['name'], `only the name changed ${label}`);
            await byWhere!.save();
            assert.deepStrictEqual((await User.find(u.id)).settings, value, `after an update ${label}`);
          }
        });

        it('reads back datetimes exactly across eras: before 1970, leap days, the last millisecond of a day', async () => {
          const u = await user();
          const moments = ['1969-12-31T23:59:59.999Z', '1600-03-01T00:00:00.000Z', '2024-02-29T12:34:56.789Z', '2100-02-28T23:59:59.999Z', '9999-12-31T23:59:59.999Z'];
          const ids: number[] = [];
          for (const m of moments) ids.push((await post(u, { publishedAt: new Date(m) })).id);
          const byId = new Map((await Post.where({ id: anyOf(ids) })).map((p) => [p.id, p]));
          moments.forEach((m, i) => {
            assert.equal(byId.get(ids[i]!)!.publishedAt!.toISOString(), m, 'read through a relation');
          });
          for (const [i, m] of moments.entries()) assert.equal((await Post.find(ids[i]!)).publishedAt!.toISOString(), m, 'read by find');
        });

        it('keeps fields in place when a column is added or dropped after a query was cached', async () => {
          const u = await user();
          const p = await post(u, { title: 'Kept in place', views: 3 });
          const q = (n: string) => (target.name === 'mysql' ? `\`${n}\`` : `"${n}"`);
          assert.equal((await Post.find(p.id)).title, 'Kept in place');
          await app.db.run(`ALTER TABLE ${q('posts')} ADD COLUMN ${q('scratch')} varchar(20)`);
          try {
            const added = await Post.find(p.id);
            assert.equal(added.title, 'Kept in place');
            assert.strictEqual(added.views, 3);
            assert.strictEqual(added.authorId, u.id);
            assert.deepEqual((await Post.where({ id: p.id })).map((r) => r.title), ['Kept in place']);
          } finally {
            await app.db.run(`ALTER TABLE ${q('posts')} DROP COLUMN ${q('scratch')}`);
          }
          const dropped = await Post.find(p.id);
          assert.equal(dropped.title, 'Kept in place');
          assert.strictEqual(dropped.views, 3);
          if (target.name !== 'sqlite') return;
          // SQLite reads rows as arrays: a column dropped before others shifts them; the names are read again.
          await app.db.run(`ALTER TABLE ${q('posts')} DROP COLUMN ${q('rating')}`);
          try {
            const shifted = await Post.find(p.id);
            assert.strictEqual(shifted.rating, undefined, 'a column no longer read leaves its field unset');
            assert.strictEqual(shifted.slug, p.slug);
            assert.strictEqual(shifted.authorId, u.id);
            assert.equal(shifted.createdAt.toISOString(), p.createdAt.toISOString());
          } finally {
            await app.db.run(`ALTER TABLE ${q('posts')} ADD COLUMN ${q('rating')} float`);
          }
        });

        it('keeps fields in place when another process drops one column and adds another (the count unchanged)', async (t) => {
          if (target.name !== 'sqlite') return t.skip('SQLite only: the others read rows by column name');
          const u = await user();
          const p = await post(u, { title: 'Same count', views: 5, rating: 1.5 });
          assert.equal((await Post.find(p.id)).title, 'Same count'); // caches the statement and its column names
          // Another connection to the same file, as another process running a migration would be.
          const Sqlite = require('better-sqlite3') as new (file: string) => { exec(sql: string): void; close(): void };
          const other = new Sqlite((target.config as { database: string }).database);
          const nextTurn = () => new Promise((resolve) => setImmediate(resolve)); // as the next request would come
          let after: PostModel;
          try {
            other.exec('ALTER TABLE "posts" DROP COLUMN "views"; ALTER TABLE "posts" ADD COLUMN "scratch" varchar(20) DEFAULT \'not a field\'');
            await nextTurn();
            after = await Post.find(p.id);
          } finally {
            other.exec('ALTER TABLE "posts" DROP COLUMN "scratch"; ALTER TABLE "posts" ADD COLUMN "views" integer NOT NULL DEFAULT 0');
            other.close();
            await nextTurn();
          }
          assert.notEqual(after.views, 1.5, 'a stale column layout would read rating into views');
          assert.ok(after.views == null, `a column no longer there leaves its field unset, not ${after.views}`);
          assert.equal(after.title, 'Same count');
          assert.strictEqual(after.rating, 1.5);
          assert.strictEqual(after.slug, p.slug);
          assert.strictEqual(after.authorId, u.id);
          assert.equal(after.createdAt.toISOString(), p.createdAt.toISOString());
          assert.strictEqual((await Post.find(p.id)).views, 0, 'the column back, read again');
        });

        it('matches booleans, dates and json-free columns in where', async () => {
          const u = await user();
          const at = new Date('2026-03-04T05:06:07.089Z');
          const a = await post(u, { published: true, publishedAt: at });
          const b = await post(u, { published: false });
          assert.deepEqual((await Post.where({ published: true })).map((p) => p.id), [a.id]);
          assert.deepEqual((await Post.where({ published: false })).map((p) => p.id), [b.id]);
          assert.deepEqual((await Post.where({ publishedAt: at })).map((p) => p.id), [a.id]);
          assert.deepEqual((await Post.where('published = ?', true)).map((p) => p.id), [a.id]);
        });

        it('keeps a date (no time) as YYYY-MM-DD, whatever the process time zone', async () => {
          const u = await user({ birthday: '1990-07-15' });
          assert.strictEqual(u.birthday, '1990-07-15');
          assert.strictEqual((await User.find(u.id)).birthday, '1990-07-15');
          assert.equal((await User.where({ birthday: '1990-07-15' })).length, 1);
          await u.update({ birthday: new Date('2001-02-03T00:00:00Z') });
          assert.strictEqual((await User.find(u.id)).birthday, '2001-02-03');
        });

        it('reads and writes datetimes in UTC, in every pooled session', async () => {
          if (target.name !== 'mysql') return;
          const zones = await Promise.all(Array.from({ length: 6 }, () => app.db.select('SELECT @@session.time_zone AS tz')));
          assert.deepEqual(new Set(zones.map((r) => r[0]!.tz)), new Set(['+00:00']));
        });

        it('casts form strings on assignment', async () => {
          const u = await user();
          const p = await post(u);
          assert.equal(await p.update({ views: '12', published: 'true', rating: '3.5', publishedAt: '2026-01-01T00:00:00Z' }), true);
          const f = await Post.find(p.id);
          assert.strictEqual(f.views, 12);
          assert.strictEqual(f.published, true);
          assert.strictEqual(f.rating, 3.5);
          assert.equal(f.publishedAt!.toISOString(), '2026-01-01T00:00:00.000Z');
          await p.update({ published: '0' });
          assert.strictEqual((await Post.find(p.id)).published, false);
          await p.update({ tags: '["a","b"]' });
          assert.deepEqual((await Post.find(p.id)).tags, ['a', 'b'], 'JSON text from a form becomes the value');
        });
      });

      describe('queries', () => {
        let ids: number[];
        let author: UserModel;
        beforeEach(async () => {
          author = await user();
          ids = [];
          for (const [i, title] of ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'].entries()) {
            ids.push((await post(author, { title, views: i * 10, published: i % 2 === 0, rating: i === 4 ? null : i })).id);
          }
        });

        it('where with hash equality, arrays (IN), empty arrays and null (IS NULL)', async () => {
          assert.deepEqual((await Post.where({ title: 'Charlie' })).map((p) => p.title), ['Charlie']);
          assert.deepEqual((await Post.where({ title: anyOf(['Alpha', 'Echo', 'Nope']) }).order('title')).map((p) => p.title), ['Alpha', 'Echo']);
          assert.deepEqual(await Post.where({ title: anyOf([]) }), []);
          assert.deepEqual((await Post.where({ rating: null })).map((p) => p.title), ['Echo']);
          assert.equal(await Post.where({ published: true, views: 20 }).count(), 1);
          assert.equal(await Post.where({ published: true }).where({ views: 20 }).count(), 1);
          assert.deepEqual((await Post.where({ rating: anyOf([1, null]) }).order('id')).map((p) => p.title), ['Bravo', 'Echo']);
          assert.deepEqual((await Post.where({ rating: anyOf([null]) })).map((p) => p.title), ['Echo']);
          assert.throws(() => Post.where({ rating: anyOf([1, undefined]) }), { code: 'STRYKE_E_ORM_UNDEFINED_CONDITION' });
          // Strings from params are cast to the field's type, as on assignment.
          assert.equal(await Post.where({ published: 'true' }).count(), 3);
          assert.equal(await Post.where({ published: '0' }).count(), 2);
          assert.deepEqual((await Post.where({ views: '20' })).map((p) => p.title), ['Charlie']);
          assert.deepEqual((await Post.where({ views: anyOf(['10', '30']) }).order('id')).map((p) => p.title), ['Bravo', 'Delta']);
        });

        it('where with a raw fragment and ? binds', async () => {
          const titles = (await Post.where('views > ? AND views < ?', 5, 35).order('views')).map((p) => p.title);
          assert.deepEqual(titles, ['Bravo', 'Charlie', 'Delta']);
          assert.deepEqual((await Post.where({ published: true }).where('views >= ?', 20).order('id')).map((p) => p.title), ['Charlie', 'Echo']);
          assert.equal(await Post.where('title = ?', "x' OR '1'='1").count(), 0);
          assert.deepEqual((await Post.where('title IN (?) AND views >= ?', ['Alpha', 'Delta', 'Echo'], 10).order('id')).map((p) => p.title), ['Delta', 'Echo']);
          assert.equal(await Post.where('title IN (?)', []).count(), 0);
          assert.throws(() => Post.where('views > ? AND views < ?', 5), { code: 'STRYKE_E_ORM_BIND_COUNT' });
          assert.throws(() => Post.where('views > 5', 1), { code: 'STRYKE_E_ORM_BIND_COUNT' });
        });

        it('order, limit, offset, first', async () => {
          assert.deepEqual((await Post.order('views', 'desc').limit(2)).map((p) => p.title), ['Echo', 'Delta']);
          assert.deepEqual((await Post.order({ published: 'desc', views: 'asc' })).map((p) => p.title), ['Alpha', 'Charlie', 'Echo', 'Bravo', 'Delta']);
          assert.deepEqual((await Post.order('views').limit(2).offset(1)).map((p) => p.title), ['Bravo', 'Charlie']);
          assert.deepEqual((await Post.order('views').offset(3)).map((p) => p.title), ['Delta', 'Echo']);
          assert.equal((await Post.offset(4)).length, 1);
          assert.equal((await Post.first())!.id, Math.min(...ids));
          assert.equal((await Post.order('views', 'DESC').first())!.title, 'Echo');
          assert.equal(await Post.where({ title: 'none' }).first(), null);
        });

        it('count, exists, deleteAll', async () => {
          assert.equal(await Post.count(), 5);
          assert.equal(await Post.where({ published: true }).count(), 3);
          assert.equal(await Post.where({ title: 'Alpha' }).exists(), true);
          assert.equal(await Post.where({ title: 'Zulu' }).exists(), false);
          assert.equal(await Post.order('views').limit(2).count(), 2);
          assert.equal(await Post.order('views').offset(4).count(), 1);
          assert.equal(await Post.where({ published: true }).limit(10).offset(1).count(), 2);
          assert.equal(await Post.where({ published: false }).deleteAll(), 2);
          assert.equal(await Post.count(), 3);
          assert.equal(await Post.exists(), true);
          assert.equal(await Post.deleteAll(), 3);
          assert.equal(await Post.exists(), false);
          assert.equal(await Post.count(), 0);
        });

        it('relations are immutable', async () => {
          const base = Post.where({ published: true });
          const limited = base.limit(1);
          assert.equal((await base).length, 3);
          assert.equal((await limited).length, 1);
        });

        it('scopes chain from the model, from relations and with arguments', async () => {
          const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
          for (const [i, id] of ids.entries()) await (await Post.find(id)).update({ createdAt: at(i) });
          assert.deepEqual((await Post.published().recent().limit(2) as PostModel[]).map((p) => p.title), ['Echo', 'Charlie']);
          assert.deepEqual((await Post.recent().published() as PostModel[]).map((p) => p.title), ['Echo', 'Charlie', 'Alpha']);
          assert.deepEqual((await Post.where({ authorId: author.id }).published().popular(20).recent() as PostModel[]).map((p) => p.title), ['Echo', 'Charlie']);
          assert.equal(await Post.popular(30).count(), 2);
          assert.equal(await author.related<typeof PostModel>('posts').published().count(), 3);
          await user({ role: 'admin', age: 40 });
          await user({ role: 'admin', age: 20 });
          assert.equal(await User.admins().olderThan(30).count(), 1);
        });

        it('toSQL quotes identifiers and binds values, never inlining them', async () => {
          const { sql, binds } = Post.where({ title: EVIL, published: true }).where('views > ?', 3).order('createdAt', 'desc').limit(5).toSQL();
          const q = target.name === 'mysql' ? (s: string) => `\`${s}\`` : (s: string) => `"${s}"`;
          const p = target.name === 'postgres' ? ['$1', '$2', '$3'] : ['?', '?', '?'];
          assert.equal(sql, `SELECT * FROM ${q('posts')} WHERE ${q('title')} = ${p[0]} AND ${q('published')} = ${p[1]} AND (views > ${p[2]}) ORDER BY ${q('createdAt')} DESC LIMIT 5`);
          assert.ok(!sql.includes('Robert'));
          assert.equal(binds[0], EVIL);
          assert.equal(binds[2], 3);
          assert.deepEqual(await Post.where({ title: EVIL, published: true }).where('views > ?', 3), []);
        });
      });

      describe('update, destroy, reload', () => {
        it('update assigns, saves and bumps updatedAt', async () => {
          const u = await user();
          const p = await post(u, { title: 'Before' });
          const before = p.updatedAt.getTime();
          await new Promise((r) => setTimeout(r, 5));
          assert.equal(await p.update({ title: 'After', views: 3 }), true);
          const f = await Post.find(p.id);
          assert.equal(f.title, 'After');
          assert.equal(f.views, 3);
          assert.equal(f.slug, 'after');
          assert.ok(f.updatedAt.getTime() > before);
          assert.equal(f.createdAt.getTime(), p.createdAt.getTime());
        });

        it('reload re-reads the row', async () => {
          const u = await user();
          const p = await post(u, { views: 1 });
          const other = await Post.find(p.id);
          await other.update({ views: 99 });
          assert.equal(p.views, 1);
          await p.reload();
          assert.equal(p.views, 99);
        });

        it('destroy deletes the row and runs the destroy callbacks', async () => {
          const u = await user();
          const p = await post(u);
          const id = p.id;
          await p.destroy();
          assert.equal(p.isPersisted, false);
          assert.equal(await Post.where({ id }).exists(), false);
          assert.deepEqual(Post.events.slice(-2), [`beforeDestroy:${id}`, `afterDestroy:${id}`]);
          await assert.rejects(Post.find(id), { code: 'STRYKE_E_ORM_RECORD_NOT_FOUND', status: 404 });
        });

        it('destroying a record never saved deletes nothing', async () => {
          const u = await user();
          await post(u);
          statements = [];
          await new Post({ title: 'Unsaved', body: 'b' }).destroy();
          assert.deepEqual(statements, []);
          assert.equal(await Post.count(), 1);
        });

        it('deleting a user cascades to its posts (foreign key)', async () => {
          const u = await user();
          await post(u);
          await u.destroy();
          assert.equal(await Post.count(), 0);
        });
      });

      describe('errors', () => {
        it('find of a missing or malformed id is STRYKE_E_ORM_RECORD_NOT_FOUND (404)', async () => {
          const nf = { code: 'STRYKE_E_ORM_RECORD_NOT_FOUND', status: 404 };
          await assert.rejects(User.find(999999), nf);
          await assert.rejects(User.find('999999'), nf);
          await assert.rejects(User.find('abc'), nf);
          await assert.rejects(User.find('1 OR 1=1'), nf);
          await assert.rejects(User.find('1.5'), nf);
          await assert.rejects(User.find(1.5), nf);
          await assert.rejects(User.find(Number.NaN), nf);
          await assert.rejects(User.find(undefined), nf);
          await assert.rejects(User.find(null), nf);
          await assert.rejects(User.find(''), nf);
          await assert.rejects(User.find('99999999999999999999'), nf);
        });

        it('a condition given undefined is refused', async () => {
          const code = { code: 'STRYKE_E_ORM_UNDEFINED_CONDITION' };
          assert.throws(() => Post.where({ title: undefined }), code);
          assert.throws(() => Post.where('views > ?', undefined), code);
          assert.throws(() => Post.all().where({ authorId: undefined }).limit(1), code);
          return assert.rejects(Post.findBy({ authorId: undefined }), code);
        });

        it('an unknown column is refused in where, assign and order', () => {
          // @ts-expect-error: the compiler refuses it too (test/types); this is the run-time check, for untyped callers
          assert.throws(() => Post.where({ nope: 1 }), { code: 'STRYKE_E_ORM_UNKNOWN_COLUMN' });
          assert.throws(() => new Post({ nope: 1 }), { code: 'STRYKE_E_ORM_UNKNOWN_COLUMN' });
          // @ts-expect-error: the compiler refuses it too (test/types); this is the run-time check, for untyped callers
          assert.throws(() => Post.order('nope'), { code: 'STRYKE_E_ORM_BAD_ORDER' });
          // @ts-expect-error: the compiler refuses it too (test/types); this is the run-time check, for untyped callers
          assert.throws(() => Post.order('title; DROP TABLE posts'), { code: 'STRYKE_E_ORM_BAD_ORDER' });
          // @ts-expect-error: the compiler refuses it too (test/types); this is the run-time check, for untyped callers
          assert.throws(() => Post.order('title', 'sideways'), { code: 'STRYKE_E_ORM_BAD_ORDER' });
          assert.throws(() => Post.limit(-1), { code: 'STRYKE_E_ORM_BAD_LIMIT' });
          assert.throws(() => Post.offset(1.5), { code: 'STRYKE_E_ORM_BAD_LIMIT' });
          // @ts-expect-error: the compiler refuses it too (test/types); this is the run-time check, for untyped callers
          assert.throws(() => Post.includes('nope'), { code: 'STRYKE_E_ORM_UNKNOWN_ASSOCIATION' });
        });

        it('a SQL injection attempt in a value is stored and matched literally', async () => {
          const u = await user();
          const p = await post(u, { title: EVIL, body: "'; DELETE FROM users; --" });
          assert.equal((await Post.find(p.id)).title, EVIL);
          assert.equal((await Post.findBy({ title: EVIL }))!.id, p.id);
          assert.equal((await Post.where('title = ?', EVIL)).length, 1);
          assert.equal(await User.count(), 1);
          assert.equal(await Post.count(), 1);
        });
      });

      describe('validations', () => {
        it('save returns false and fills errors with Rails-style messages', async () => {
          const p = new Post({});
          assert.equal(await p.save(), false);
          assert.equal(p.isNewRecord, true);
          assert.deepEqual(p.errors.on('title'), ["can't be blank", 'is too short (minimum is 3 characters)']);
          assert.ok(p.errors.fullMessages.includes("Title can't be blank"));
          assert.ok(p.errors.fullMessages.includes("Body can't be blank"));
          assert.deepEqual(p.errors.toJSON().body, ["can't be blank"]);
          assert.deepEqual(p.errors.on('views'), []);
          assert.equal(await Post.count(), 0);
        });

        it('length, format, inclusion and numericality', async () => {
          const p = new Post({ title: 'ab', body: 'ok', views: 1.5 });
          assert.equal(await p.isValid(), false);
          assert.deepEqual(p.errors.fullMessages.sort(), ['Title is too short (minimum is 3 characters)', 'Views must be an integer']);
          p.title = 'x'.repeat(201);
          await p.isValid();
          assert.deepEqual(p.errors.on('title'), ['is too long (maximum is 200 characters)']);

          const u = new User({ email: 'not-an-email', name: 'Al', role: 'boss', age: 0 });
          assert.equal(await u.save(), false);
          assert.deepEqual(u.errors.fullMessages.sort(), ['Age must be greater than 0', 'Email is invalid', 'Role is not included in the list']);
          u.assign({ email: 'al@example.com', role: 'admin', age: 'abc' });
          await u.isValid();
          assert.deepEqual(u.errors.fullMessages, ['Age must be an integer']);
          u.assign({ age: '30' });
          assert.equal(await u.save(), true);
          assert.strictEqual(u.age, 30);
        });

        it('create throws STRYKE_E_ORM_RECORD_INVALID (422) naming the errors', async () => {
          await assert.rejects(Post.create({ title: '', body: 'b' }), (err: any) => {
            assert.equal(err.code, 'STRYKE_E_ORM_RECORD_INVALID');
            assert.equal(err.status, 422);
            assert.match(err.message, /Title can't be blank/);
            assert.ok(err.record instanceof Post);
            return true;
          });
          assert.equal(await Post.count(), 0);
        });

        it('an invalid update leaves the row as it was', async () => {
          const u = await user();
          const p = await post(u, { title: 'Valid' });
          assert.equal(await p.update({ title: '' }), false);
          assert.deepEqual(p.errors.fullMessages.sort(), ["Title can't be blank", 'Title is too short (minimum is 3 characters)']);
          assert.equal((await Post.find(p.id)).title, 'Valid');
        });
      });

      describe('callbacks', () => {
        it('run in order: beforeValidation, beforeSave, afterCreate', async () => {
          const u = await user();
          const p = await post(u, { title: '  Hello, World!  ' });
          assert.equal(p.title, 'Hello, World!');
          assert.equal(p.slug, 'hello-world');
          assert.deepEqual(Post.events, ['beforeSave:hello-world', `afterCreate:${p.id}`]);
          assert.equal((await Post.find(p.id)).slug, 'hello-world');
          await p.update({ title: 'Renamed' });
          assert.deepEqual(Post.events.slice(2), ['beforeSave:renamed']);
        });

        it('do not run when validation fails', async () => {
          assert.equal(await new Post({ title: '', body: '' }).save(), false);
          assert.deepEqual(Post.events, []);
        });
      });

      describe('associations', () => {
        let ann: UserModel;
        let bob: UserModel;
        let p1: PostModel;
        let p2: PostModel;
        let p3: PostModel;
        beforeEach(async () => {
          ann = await user({ name: 'Ann' });
          bob = await user({ name: 'Bob' });
          p1 = await post(ann, { title: 'First' });
          p2 = await post(ann, { title: 'Second' });
          p3 = await post(bob, { title: 'Third' });
          await Comment.create({ postId: p1.id, userId: bob.id, body: 'Nice' });
          await Comment.create({ postId: p1.id, userId: null, body: 'Anonymous' });
          await Comment.create({ postId: p3.id, userId: ann.id, body: 'Hm' });
          statements = [];
        });

        it('includes loads belongsTo and hasMany with one query per association', async () => {
          const posts = await Post.includes('author', 'comments').order('id');
          assert.equal(statements.length, 3, statements.join('\n'));
          assert.deepEqual(posts.map((p) => p.author.name), ['Ann', 'Ann', 'Bob']);
          assert.deepEqual(posts.map((p) => p.comments.map((c) => c.body).sort()), [['Anonymous', 'Nice'], [], ['Hm']]);
          assert.equal(statements.length, 3);

          const users = await User.includes('posts').order('id');
          assert.deepEqual(users.map((u) => u.posts.map((p) => p.title).sort()), [['First', 'Second'], ['Third']]);
          const comments = await Comment.includes('user', 'post').order('id');
          assert.deepEqual(comments.map((c) => c.user?.name ?? null), ['Bob', null, 'Ann']);
          assert.deepEqual(comments.map((c) => c.post.title), ['First', 'First', 'Third']);
        });

        it('an association that was not loaded throws STRYKE_E_ORM_ASSOCIATION_NOT_LOADED', async () => {
          const p = await Post.find(p1.id);
          assert.throws(() => p.author.name, { code: 'STRYKE_E_ORM_ASSOCIATION_NOT_LOADED' });
          assert.throws(() => p.comments.length, { code: 'STRYKE_E_ORM_ASSOCIATION_NOT_LOADED' });
          assert.throws(() => p.comments.map((c) => c), { code: 'STRYKE_E_ORM_ASSOCIATION_NOT_LOADED' });
          assert.equal(p.isLoaded('author'), false);
          assert.equal((p.author as any).loaded, false);
          await p.load('author');
          assert.equal(p.isLoaded('author'), true);
          assert.equal(p.author.name, 'Ann');
          assert.throws(() => p.comments.length, { code: 'STRYKE_E_ORM_ASSOCIATION_NOT_LOADED' });
          await p.load('comments');
          assert.equal(p.comments.length, 2);
          assert.deepEqual(Object.keys(p.toJSON()).filter((k) => k === 'author' || k === 'comments').sort(), ['author', 'comments']);
        });

        it('assigning a belongsTo record sets the foreign key', async () => {
          const p = new Post({ title: 'By Bob', body: 'b', author: bob });
          assert.equal(p.authorId, bob.id);
          assert.equal(await p.save(), true);
          assert.equal((await Post.includes('author').find(p.id)).author.name, 'Bob');
          const c = await Comment.includes('user').find((await Comment.findBy({ body: 'Nice' }))!.id);
          c.user = null;
          assert.equal(c.userId, null);
          assert.equal(await c.save(), true);
          assert.equal((await Comment.find(c.id)).userId, null);
        });

        it('related() queries through an association', async () => {
          assert.deepEqual((await ann.related('posts').order('id')).map((p) => p.title), ['First', 'Second']);
          assert.equal(await p1.related('comments').count(), 2);
          assert.equal((await p3.related('author').first())!.name, 'Bob');
          void p2;
        });
      });
    });
  }
});
