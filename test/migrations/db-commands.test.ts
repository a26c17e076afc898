import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Database } from 'stryke/orm';
import { appTsconfig, stryke, writeApp } from '../support/cli';
import { databaseTargets } from '../support/databases';

/** A small app, as `stryke new` makes them: compiled with source maps, so errors point into the .ts files. */
function app(files: Record<string, string>): string {
  return writeApp({ ...files, 'tsconfig.json': appTsconfig({ sourceMap: true }) });
}

const MIGRATION = `import { migration } from 'stryke';

export default migration('CreatePosts', {
  change(m) {
    m.createTable('posts', (t) => {
      t.string('headline', { limit: 200, null: false });
      t.text('body');
      t.integer('legacy');
      t.timestamps();
    });
  },
});
`;

const MODEL = `import { ActiveRecord, Field, Model, Timestamps, Validates } from 'stryke';

@Model('posts')
export class Post extends ActiveRecord {
  @Field({ primary: true }) id!: number;
  @Field({ type: 'string', limit: 200 }) @Validates({ presence: true }) title!: string;
  @Field('text') body!: string;
  @Field('float') rating!: number;
  @Field({ default: false }) published!: boolean;
  @Timestamps() createdAt!: Date;
  updatedAt!: Date;
}
`;

describe('stryke db diff', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-diff-'));
  const targets = await databaseTargets('diff', dir);
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const target of targets) describe(target.name, { skip: target.skip }, () => {
    const c = target.config;
    const url = c.adapter === 'sqlite' ? `sqlite:${c.database}` : `${c.adapter}://${c.username}${c.password ? `:${c.password}` : ''}@${c.host}:${c.port}/${c.database}`;
    const root = app({ 'app/models/post.ts': MODEL, 'db/migrations/20260101000000_create_posts.ts': MIGRATION });
    const env = { DATABASE_URL: url };
    const run = (...args: string[]) => stryke(['db', ...args, '--root', root], { env });
    const migrations = () => readdirSync(join(root, 'db', 'migrations'));
    after(() => { run('drop'); rmSync(root, { recursive: true, force: true }); });

    it('--dry-run prints the migration: a rename detected by type, additions, and the destructive step flagged', async () => {
      assert.equal(run('migrate').status, 0);
      const db = await Database.connect(c, root);
      const q = db.dialect.quote;
      await db.run(`INSERT INTO posts (headline, body, legacy, ${q('createdAt')}, ${q('updatedAt')}) VALUES ('Hello', 'World', 3, '2026-01-01', '2026-01-01')`);
      await db.close();
      const res = run('diff', '--dry-run');
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /m\.renameColumn\('posts', 'headline', 'title'\);/);
      assert.match(res.stdout, /Check: posts\.headline and posts\.title have the same type: taken as a rename/);
      assert.match(res.stdout, /m\.addColumn\('posts', 'rating', 'float'\);/);
      assert.match(res.stdout, /m\.addColumn\('posts', 'published', 'boolean', \{ default: false \}\);/);
      assert.match(res.stdout, /\/\/ DESTRUCTIVE: removes column posts\.legacy and its data[^\n]*\n\s*m\.removeColumn\('posts', 'legacy', 'integer'\);/);
      assert.doesNotMatch(res.stdout, /removeColumn\('posts', 'headline'/, 'a rename is never a drop and an add');
      assert.match(res.stdout, /needs --allow-destructive/);
      assert.deepEqual(migrations(), ['20260101000000_create_posts.ts']);
    });

    it('refuses to write destructive steps without --allow-destructive', () => {
      const res = run('diff');
      assert.equal(res.status, 1);
      assert.match(res.stderr, /STRYKE_E_MIGRATION_DESTRUCTIVE/);
      assert.match(res.stdout, /destructive: removes column posts\.legacy/);
      assert.deepEqual(migrations(), ['20260101000000_create_posts.ts']);
    });

    it('with --allow-destructive writes a migration that applies, keeps the renamed data and rolls back', async () => {
      const res = run('diff', '--allow-destructive', '--name', 'SyncPosts');
      assert.equal(res.status, 0, res.stderr);
      const written = migrations().find((f) => f.endsWith('_sync_posts.ts'))!;
      assert.ok(written, res.stdout);
      assert.match(readFileSync(join(root, 'db', 'migrations', written), 'utf8'), /export default migration\('SyncPosts'/);
      const migrated = run('migrate');
      assert.equal(migrated.status, 0, migrated.stderr);
      const db = await Database.connect(c, root);
      try {
        const [row] = await db.select('SELECT * FROM posts');
        assert.equal(row!.title, 'Hello');
        assert.equal('legacy' in row!, false);
        assert.equal(run('diff').stdout.trim(), `${c.adapter} database ${c.database} matches the models: nothing to write.`);
        assert.equal(run('rollback').status, 0);
        const [back] = await db.select('SELECT * FROM posts');
        assert.equal(back!.headline, 'Hello');
        assert.equal('legacy' in back!, true);
      } finally {
        await db.close();
      }
    });

    it('asks which column was renamed when more than one could be, and takes --rename', () => {
      writeFileSync(join(root, 'db', 'migrations', '20260101000002_add_names.ts'), `import { migration } from 'stryke';
  export default migration('AddNames', { change(m) { m.addColumn('posts', 'nameA', 'string'); m.addColumn('posts', 'nameB', 'string'); } });
  `);
      writeFileSync(join(root, 'app', 'models', 'post.ts'), MODEL.replace("@Field('float') rating!: number;", "@Field('float') rating!: number;\n  @Field() name!: string;"));
      rmSync(join(root, 'db', 'migrations', migrations().find((f) => f.endsWith('_sync_posts.ts'))!));
      assert.equal(run('migrate').status, 0);
      const res = run('diff', '--dry-run', '--allow-destructive');
      assert.equal(res.status, 1);
      assert.equal(res.stderr.trim().split('\n').length, 1);
      assert.match(res.stderr, /posts\.name.*posts\.nameA, posts\.nameB.*--rename posts\.nameA:name.*STRYKE_E_MIGRATION_DIFF_AMBIGUOUS/);
      const chosen = run('diff', '--dry-run', '--rename', 'posts.nameB:name');
      assert.equal(chosen.status, 0, chosen.stderr);
      assert.match(chosen.stdout, /m\.renameColumn\('posts', 'nameB', 'name'\);/);
      assert.match(chosen.stdout, /removeColumn\('posts', 'nameA', 'string'\)/);
      const fresh = run('diff', '--dry-run', '--new', 'posts.name', '--allow-destructive');
      assert.equal(fresh.status, 0, fresh.stderr);
      assert.match(fresh.stdout, /m\.addColumn\('posts', 'name', 'string'\);/);
      assert.doesNotMatch(fresh.stdout, /renameColumn\('posts', 'name/);
      assert.match(run('diff', '--rename', 'posts-nameB').stderr, /STRYKE_E_MIGRATION_DIFF_BAD_RENAME/);
    });
  });
});

describe('stryke db, bad migrations in one line', () => {
  const base = { 'app/models/.keep': '' };
  it('a runtime error names the migration file and line; status shows it pending', () => {
    const root = app({ ...base, 'db/migrations/20260101000000_broken.ts': `import { migration } from 'stryke';

export default migration('Broken', {
  change(m) {
    m.createTable('things', (t) => { t.string('name'); });
    throw new Error('boom');
  },
});
` });
    try {
      const env = { DATABASE_URL: `sqlite:${join(root, 'db', 'dev.sqlite3')}` };
      const res = stryke(['db', 'migrate', '--root', root], { env });
      assert.equal(res.status, 1);
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
      assert.match(res.stderr, /Migration db\/migrations\/20260101000000_broken\.ts:6 threw before running anything: boom \(STRYKE_E_MIGRATION_LOAD_FAILED\)/);
      assert.match(stryke(['db', 'status', '--root', root], { env }).stdout, /down\s+20260101000000\s+broken/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('an unknown column type or option suggests the nearest, naming file and line', () => {
    const root = app({ ...base, 'db/migrations/20260101000000_create_things.ts': `import { migration } from 'stryke';

export default migration('CreateThings', {
  change(m) {
    m.createTable('things', (t) => {
      t.column('price', 'decimel' as never, { precision: 8, scale: 2 });
    });
  },
});
`, 'db/migrations/20260101000001_add_size.ts': `import { migration } from 'stryke';

export default migration('AddSize', {
  change(m) {
    m.addColumn('things', 'size', 'integer', { defualt: 0 } as never);
  },
});
` });
    try {
      const env = { DATABASE_URL: `sqlite:${join(root, 'db', 'dev.sqlite3')}` };
      const res = stryke(['db', 'migrate', '--root', root], { env });
      assert.equal(res.status, 1);
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
      assert.match(res.stderr, /db\/migrations\/20260101000000_create_things\.ts:6: Unknown column type "decimel" for things\.price\. Did you mean "decimal"\?/);
      rmSync(join(root, 'db', 'migrations', '20260101000000_create_things.ts'));
      writeFileSync(join(root, 'db', 'migrations', '20260101000000_create_things.ts'), `import { migration } from 'stryke';
export default migration('CreateThings', { change(m) { m.createTable('things', (t) => { t.string('name'); }); } });
`);
      const opt = stryke(['db', 'migrate', '--root', root], { env });
      assert.equal(opt.status, 1);
      assert.match(opt.stderr, /20260101000001_add_size\.ts:5: Unknown option "defualt" for things\.size\. Did you mean "default"\?/);
      assert.match(stryke(['db', 'status', '--root', root], { env }).stdout, /up\s+20260101000000\s+create_things[\s\S]*down\s+20260101000001\s+add_size/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a syntax error is reported by the compiler with file and line, and nothing runs', () => {
    const root = app({ ...base, 'db/migrations/20260101000000_create_things.ts': `import { migration } from 'stryke';
export default migration('CreateThings', { change(m) { m.createTable('things', (t) => { t.string('name') ); } });
` });
    try {
      const env = { DATABASE_URL: `sqlite:${join(root, 'db', 'dev.sqlite3')}` };
      const res = stryke(['db', 'migrate', '--root', root], { env });
      assert.equal(res.status, 1);
      assert.match(res.stdout + res.stderr, /db\/migrations\/20260101000000_create_things\.ts[(:]2/);
      assert.match(res.stderr, /STRYKE_E_CLI_COMPILE_FAILED/);
      assert.equal(existsSync(join(root, 'db', 'dev.sqlite3')) && stryke(['db', 'status', '--root', root], { env }).stdout.includes('up '), false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('schema:load without db/schema.json, or with a broken one, says so in one line; setup then migrates', () => {
    const root = app({ ...base, 'db/migrations/20260101000000_create_things.ts': `import { migration } from 'stryke';
export default migration('CreateThings', { change(m) { m.createTable('things', (t) => { t.string('name'); }); } });
` });
    try {
      const env = { DATABASE_URL: `sqlite:${join(root, 'db', 'dev.sqlite3')}` };
      const missing = stryke(['db', 'schema:load', '--root', root], { env });
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /^stryke: db\/schema\.json does not exist: run `stryke db migrate`.*\(STRYKE_E_MIGRATION_SCHEMA_MISSING\)\n$/);
      const setup = stryke(['db', 'setup', '--root', root], { env });
      assert.equal(setup.status, 0, setup.stderr);
      assert.match(setup.stdout, /Created[\s\S]*migrating 20260101000000 CreateThings … done[\s\S]*Wrote db\/schema\.json[\s\S]*No db\/seeds\.ts/);
      writeFileSync(join(root, 'db', 'schema.json'), '{ "tables": ');
      const bad = stryke(['db', 'schema:load', '--root', root], { env });
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /db\/schema\.json is not a schema dump stryke can read.*STRYKE_E_MIGRATION_SCHEMA_BAD/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
