import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, afterEach, before, beforeEach, describe } from 'node:test';
import { dropDatabase } from 'stryke/migrations';
import { ormSettings } from 'stryke/orm';
import { createTestApp, type TestApp } from 'stryke/testing';
import { databaseTargets, type Target } from '../support/databases';
// Types only: the classes themselves come from the fixture's build, as the app loads them.
import type { Account } from '../fixtures/blog/build/app/models/account';
import type { Comment } from '../fixtures/blog/build/app/models/comment';
import type { Post } from '../fixtures/blog/build/app/models/post';
import type { Profile } from '../fixtures/blog/build/app/models/profile';
import type { Tag } from '../fixtures/blog/build/app/models/tag';
import type { Tagging } from '../fixtures/blog/build/app/models/tagging';
import type { User } from '../fixtures/blog/build/app/models/user';

export const root = resolve(__dirname, '../../../test/fixtures/blog');
process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);

export interface Models {
  User: typeof User;
  Post: typeof Post;
  Comment: typeof Comment;
  Tag: typeof Tag;
  Tagging: typeof Tagging;
  Profile: typeof Profile;
  Account: typeof Account;
}

function load(): Models {
  const model = (file: string, name: string) => require(join(root, 'build', 'app', 'models', `${file}.js`))[name];
  return {
    User: model('user', 'User'), Post: model('post', 'Post'), Comment: model('comment', 'Comment'), Tag: model('tag', 'Tag'),
    Tagging: model('tagging', 'Tagging'), Profile: model('profile', 'Profile'), Account: model('account', 'Account'),
  };
}

/** One database's test context, filled in by `before`. */
export interface Ctx extends Models {
  app: TestApp;
  target: Target;
  /** SQL run since the last beforeEach (through Database#run). */
  statements: string[];
  /** N+1 warnings since the last beforeEach. */
  warnings: string[];
  /** A user with a unique email. */
  user(attrs?: Record<string, unknown>): Promise<User>;
  post(author: User, attrs?: Record<string, unknown>): Promise<Post>;
  /** Identifier quoting of this database. */
  q(name: string): string;
}

/** Defines the same tests on SQLite, PostgreSQL and MariaDB (each skipped, outside CI, when unreachable). */
export async function eachDatabase(label: string, define: (ctx: Ctx) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `stryke-${label}-`));
  const targets = await databaseTargets(label, dir);
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const target of targets) {
    describe(target.name, { skip: target.skip }, () => {
      const ctx = { target, statements: [], warnings: [] } as unknown as Ctx;
      before(async () => {
        ctx.app = await createTestApp({ root, database: target.config });
        Object.assign(ctx, load());
        const execute = ctx.app.db.execute.bind(ctx.app.db);
        // Every statement without an explicit query runner goes through execute (run too).
        ctx.app.db.execute = (sql, binds, arrays) => {
          ctx.statements.push(sql);
          return execute(sql, binds, arrays);
        };
        ctx.q = target.name === 'mysql' ? (s) => `\`${s}\`` : (s) => `"${s}"`;
        ctx.user = (attrs = {}) => ctx.User.create({ email: `u${Math.random().toString(36).slice(2)}@example.com`, name: 'Ann', ...attrs });
        ctx.post = (author, attrs = {}) => ctx.Post.create({ title: 'Hello world', body: 'Body text', authorId: author.id, ...attrs });
      });
      beforeEach(async () => {
        await ctx.app.reset();
        ctx.Post.events = [];
        ctx.Tag.events = [];
        ctx.Account.events = [];
        ctx.statements.length = 0;
        ctx.warnings.length = 0;
        ormSettings.nPlusOne = 'raise';
        ormSettings.warn = (m) => ctx.warnings.push(m);
      });
      afterEach(() => {
        ormSettings.nPlusOne = 'raise';
      });
      after(async () => {
        await ctx.app?.close();
        await dropDatabase(target.config, root);
      });
      define(ctx);
    });
  }
}
