import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import { COMMAND_TIMEOUT, BIN } from '../support/cli';

/**
 * The environment of a command a user types: development, no DATABASE_URL, and no NODE_TEST_CONTEXT
 * (set by this test runner, it makes the nested `node --test` of `stryke test` skip every file).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'development', DATABASE_URL: '' };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function run(cwd: string, ...args: string[]) {
  const res = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: userEnv(), timeout: COMMAND_TIMEOUT });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Every file under root (but node_modules and build), with its content. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'build') continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(root, full), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return out;
}

function migrationsOf(root: string, name: string): string[] {
  return readdirSync(join(root, 'db/migrations')).filter((f) => f.endsWith(`_${name}.ts`));
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  return lines[0]!;
}

const MODEL = `import { BelongsTo, Field, Model, Timestamps, Validates, type Loaded } from 'stryke';
import { ApplicationModel } from './application_model';
import { Author } from './author';

@Model('articles')
export class Article extends ApplicationModel {
  @Field({ primary: true }) id!: number;

  @Field({ type: 'string', limit: 120 })
  @Validates({ presence: true, length: { max: 120 } })
  title!: string;

  @Field('text')
  @Validates({ presence: true })
  body!: string;

  @Field({ default: false }) published!: boolean;

  @Field('decimal')
  @Validates({ numericality: true })
  price!: string;

  @Field()
  @Validates({ numericality: { onlyInteger: true } })
  views!: number;

  @Field() publishedAt!: Date;

  @Field()
  @Validates({ presence: true })
  authorId!: number;
  @BelongsTo(() => Author) author!: Loaded<Author>;

  @Field()
  @Validates({ presence: true })
  slug!: string;

  @Field('text') notes!: string;

  @Timestamps() createdAt!: Date;
  updatedAt!: Date;
}
`;

const MIGRATION = `import { migration } from 'stryke';

export default migration('CreateArticles', {
  change(m) {
    m.createTable('articles', (t) => {
      t.string('title', { null: false, limit: 120 });
      t.text('body', { null: false });
      t.boolean('published', { null: false, default: false });
      t.decimal('price', { precision: 8, scale: 2 });
      t.integer('views');
      t.datetime('publishedAt');
      t.references('author');
      t.string('slug', { null: false });
      t.text('notes');
      t.timestamps();
    });
    m.addIndex('articles', ['views']);
    m.addIndex('articles', ['slug'], { unique: true });
  },
});
`;

describe('stryke generate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-generate-'));
  const root = join(dir, 'gen');
  before(() => {
    const res = run(dir, 'new', 'gen', '--skip-install');
    assert.equal(res.status, 0, res.stderr);
  });

  it('writes a model and the migration that creates its table', () => {
    const res = run(root, 'generate', 'model', 'Article', 'title:string{120}', 'body:text', 'published:boolean', 'price:decimal{8,2}',
      'views:integer:index', 'published_at:datetime', 'author:references', 'slug:string:unique', 'notes:text:optional');
    assert.equal(res.status, 0, res.stderr);
    assert.equal(readFileSync(join(root, 'app/models/article.ts'), 'utf8'), MODEL);
    const [file, ...others] = migrationsOf(root, 'create_articles');
    assert.equal(others.length, 0);
    assert.match(file!, /^\d{14}_create_articles\.ts$/);
    assert.equal(readFileSync(join(root, 'db/migrations', file!), 'utf8'), MIGRATION);
    assert.match(res.stdout, /^ +create {2}app\/models\/article\.ts$/m);
    assert.match(res.stdout, new RegExp(`^ +create  db/migrations/${file}$`, 'm'));
    assert.match(res.stdout, /^ +exist {2}app\/models\/application_model\.ts$/m);
    assert.match(res.stdout, /note {2}app\/models\/author\.ts does not exist yet/);
  });

  it('writes migrations from their names: Create, Add...To, Remove...From, and an empty change', () => {
    const gen = (...args: string[]) => {
      const res = run(root, 'generate', 'migration', ...args);
      assert.equal(res.status, 0, res.stderr);
    };
    gen('AddSubtitleToArticles', 'subtitle:string', 'editor:references');
    gen('remove_views_from_articles', 'views:integer:index');
    gen('CreateTags', 'name:string:unique');
    gen('BackfillSlugs');
    const read = (name: string) => readFileSync(join(root, 'db/migrations', migrationsOf(root, name)[0]!), 'utf8');
    assert.equal(read('add_subtitle_to_articles'), `import { migration } from 'stryke';

export default migration('AddSubtitleToArticles', {
  change(m) {
    m.addColumn('articles', 'subtitle', 'string');
    m.addColumn('articles', 'editorId', 'integer');
    m.addIndex('articles', ['editorId']);
  },
});
`);
    assert.equal(read('remove_views_from_articles'), `import { migration } from 'stryke';

export default migration('RemoveViewsFromArticles', {
  change(m) {
    m.removeIndex('articles', ['views']);
    m.removeColumn('articles', 'views', 'integer');
  },
});
`);
    assert.equal(read('create_tags'), `import { migration } from 'stryke';

export default migration('CreateTags', {
  change(m) {
    m.createTable('tags', (t) => {
      t.string('name', { null: false });
      t.timestamps();
    });
    m.addIndex('tags', ['name'], { unique: true });
  },
});
`);
    const empty = read('backfill_slugs');
    assert.match(empty, /export default migration\('BackfillSlugs', \{\n {2}change\(m\) \{\n( {4}\/\/.*\n)+ {2}\},\n\}\);\n$/);

    const versions = readdirSync(join(root, 'db/migrations')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, 14));
    assert.equal(new Set(versions).size, versions.length, `every version is unique: ${versions.join(', ')}`);
  });

  it('rejects an unknown field type with one line naming the nearest, and writes nothing', () => {
    const before = snapshot(root);
    const res = run(root, 'generate', 'scaffold', 'Widget', 'name:string', 'title:strin');
    assert.equal(res.status, 1);
    const line = oneLine(res.stderr);
    assert.match(line, /^stryke: Unknown field type "strin" in "title:strin"\. Did you mean "string"\?/);
    assert.match(line, /\(STRYKE_E_GENERATOR_UNKNOWN_FIELD_TYPE\)$/);
    assert.equal(res.stdout, '');
    assert.deepEqual(snapshot(root), before);
  });

  it('rejects unknown generators, modifiers, names and fields the same way', () => {
    const before = snapshot(root);
    const cases: [string[], RegExp][] = [
      [['generate', 'scafold', 'Post'], /Unknown generator "scafold"\. Did you mean "scaffold"\?.*\(STRYKE_E_GENERATOR_UNKNOWN\)/],
      [['g', 'model', 'Post', 'title:string:uniq'], /Did you mean "unique"\?.*\(STRYKE_E_GENERATOR_UNKNOWN_MODIFIER\)/],
      [['g', 'model'], /needs a name.*\(STRYKE_E_GENERATOR_MISSING_NAME\)/],
      [['g', 'model', 'Post', 'createdAt:datetime'], /STRYKE_E_GENERATOR_BAD_FIELD/],
      [['g', 'model', 'Post', 'title:string', 'title:text'], /given twice.*STRYKE_E_GENERATOR_BAD_FIELD/],
      [['g', 'model', 'Field'], /STRYKE_E_GENERATOR_BAD_NAME/],
      [['g', 'model', 'admin/post'], /for controllers only.*STRYKE_E_GENERATOR_BAD_NAME/],
      [['g', 'controller', 'admin//dashboard'], /single slashes.*STRYKE_E_GENERATOR_BAD_NAME/],
      [['g', 'scaffold', 'Sheep', 'name'], /STRYKE_E_GENERATOR_BAD_NAME/],
      [['g', 'scaffold', 'Thing'], /at least one field.*\(STRYKE_E_GENERATOR_NO_FIELDS\)/],
      [['g', 'controller', 'Pages', 'render'], /STRYKE_E_GENERATOR_BAD_ACTION/],
    ];
    for (const [args, expected] of cases) {
      const res = run(root, ...args);
      assert.equal(res.status, 1, `${args.join(' ')} fails`);
      assert.match(oneLine(res.stderr), expected);
    }
    assert.deepEqual(snapshot(root), before);
  });

  it('reports identical files when run again, and leaves them alone', () => {
    const args = ['generate', 'scaffold', 'Post', 'title:string', 'body:text', 'published:boolean'];
    assert.equal(run(root, ...args).status, 0);
    const file = join(root, 'app/models/post.ts');
    const mtime = statSync(file).mtimeMs;
    const before = snapshot(root);
    const again = run(root, ...args);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^ +identical {2}app\/models\/post\.ts$/m);
    assert.match(again.stdout, /^ +identical {2}app\/controllers\/posts_controller\.ts$/m);
    assert.match(again.stdout, /^ +identical {2}db\/migrations\/\d{14}_create_posts\.ts$/m);
    assert.doesNotMatch(again.stdout, /^ +create /m);
    assert.match(again.stdout, /note {2}nothing to do: every file is already as the generator writes it\.$/m);
    assert.deepEqual(snapshot(root), before);
    assert.equal(statSync(file).mtimeMs, mtime);
    assert.equal(migrationsOf(root, 'create_posts').length, 1, 'no second migration');
  });

  it('reports a conflict with a diff and writes nothing, unless --skip or --force', () => {
    const file = join(root, 'app/models/post.ts');
    const mine = readFileSync(file, 'utf8').replace("@Model('posts')", "// edited by hand\n@Model('posts')");
    writeFileSync(file, mine);
    const before = snapshot(root);

    const res = run(root, 'generate', 'scaffold', 'Post', 'title:string', 'body:text', 'published:boolean', 'summary:string');
    assert.equal(res.status, 1);
    assert.match(oneLine(res.stderr), /already exist.*--force.*\(STRYKE_E_GENERATOR_CONFLICT\)$/);
    assert.match(res.stdout, /^ +conflict {2}app\/models\/post\.ts$/m);
    assert.match(res.stdout, /^--- app\/models\/post\.ts \(existing\)$/m);
    assert.match(res.stdout, /^\+\+\+ app\/models\/post\.ts \(generated\)$/m);
    assert.match(res.stdout, /^-\/\/ edited by hand$/m);
    assert.match(res.stdout, /^\+ {2}summary!: string;$/m);
    assert.deepEqual(snapshot(root), before, 'nothing was written');

    const dry = run(root, 'generate', 'scaffold', 'Post', 'title:string', 'body:text', 'published:boolean', 'summary:string', '--force', '--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^ +force {2}app\/models\/post\.ts$/m);
    assert.deepEqual(snapshot(root), before, '--dry-run writes nothing');

    const skipped = run(root, 'generate', 'controller', 'Posts', 'archive', '--skip');
    assert.equal(skipped.status, 0, skipped.stderr);
    assert.match(skipped.stdout, /^ +skip {2}app\/controllers\/posts_controller\.ts$/m);
    assert.match(skipped.stdout, /^ +create {2}app\/views\/posts\/archive\.hbs$/m);
    assert.equal(readFileSync(join(root, 'app/controllers/posts_controller.ts'), 'utf8'), before.get('app/controllers/posts_controller.ts'));
    assert.equal(readFileSync(file, 'utf8'), mine);

    const forced = run(root, 'generate', 'model', 'Post', 'title:string', 'body:text', 'published:boolean', 'summary:string', '--force');
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, /^ +force {2}app\/models\/post\.ts$/m);
    const now = readFileSync(file, 'utf8');
    assert.doesNotMatch(now, /edited by hand/);
    assert.match(now, /summary!: string;/);
    assert.equal(migrationsOf(root, 'create_posts').length, 1, '--force rewrites the migration in place');
  });

  it('scaffolds a controller with HTML and JSON, five views and a test, like the sample app', () => {
    const res = run(root, 'generate', 'scaffold', 'BlogEntry', 'headline:string', 'published_on:date', 'rating:integer');
    assert.equal(res.status, 0, res.stderr);
    for (const f of ['app/controllers/blog_entries_controller.ts', 'app/views/blog_entries/index.hbs', 'app/views/blog_entries/show.hbs',
      'app/views/blog_entries/new.hbs', 'app/views/blog_entries/edit.hbs', 'app/views/blog_entries/_form.hbs', 'test/blog_entries.test.ts',
      'app/models/blog_entry.ts']) {
      assert.ok(existsSync(join(root, f)), f);
    }
    const controller = readFileSync(join(root, 'app/controllers/blog_entries_controller.ts'), 'utf8');
    assert.match(controller, /@Resources\('blog_entries'\)\n@Before\('setBlogEntry', \{ only: \['show', 'edit', 'update', 'destroy'\] \}\)\nexport class BlogEntriesController extends ApplicationController \{/);
    assert.match(controller, /this\.params\.require\('blogEntry'\)\.permit\('headline', 'publishedOn', 'rating'\)/);
    assert.match(controller, /this\.redirectTo\(this\.paths\.blogEntryPath\(blogEntry\), \{ notice: 'Blog entry was successfully created\.' \}\)/);
    assert.match(controller, /json: \(\) => this\.json\(blogEntry, \{ status: 201 \}\)/);
    assert.match(controller, /this\.render\(view, \{ blogEntry \}, \{ status: 422 \}\)/);
    const form = readFileSync(join(root, 'app/views/blog_entries/_form.hbs'), 'utf8');
    assert.match(form, /\{\{errorMessages blogEntry\}\}/);
    assert.match(form, /\{\{csrfField\}\}/);
    assert.match(form, /<input type="hidden" name="_method" value="\{\{method\}\}">/);
    assert.match(form, /name="blogEntry\[publishedOn\]" type="date"/);
    assert.match(form, /\{\{fieldError blogEntry "headline"\}\}/);
    assert.match(readFileSync(join(root, 'app/views/blog_entries/show.hbs'), 'utf8'), /\{\{buttonTo "Delete" \(blogEntryPath blogEntry\) method="delete"/);
    assert.match(readFileSync(join(root, 'app/views/blog_entries/edit.hbs'), 'utf8'), /\{\{> blog_entries\/form blogEntry=blogEntry action=\(blogEntryPath blogEntry\) method="patch"/);
    const test = readFileSync(join(root, 'test/blog_entries.test.ts'), 'utf8');
    assert.match(test, /import \{ createTestApp, type TestApp \} from 'stryke\/testing';/);
    assert.match(test, /assert\.equal\(res\.status, 422\);/);
  });

  it('prints nothing with --quiet, and the outcome as JSON with --json', () => {
    const quiet = run(root, 'generate', 'model', 'Label', 'name:string', '--quiet');
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stdout, '');
    assert.ok(existsSync(join(root, 'app/models/label.ts')));

    const json = run(root, 'generate', 'model', 'Label', 'name:string', '--json');
    assert.equal(json.status, 0, json.stderr);
    const out = JSON.parse(json.stdout);
    assert.equal(out.generator, 'model');
    assert.equal(out.name, 'Label');
    assert.deepEqual(out.files.map((f: { status: string }) => f.status), ['exist', 'identical', 'identical', 'identical']);
    assert.match(out.files[1].path, /^db\/migrations\/\d{14}_create_labels\.ts$/);
    assert.deepEqual(out.notes, ['nothing to do: every file is already as the generator writes it.']);
  });

  it('writes a controller with a GET route and a view per action', () => {
    const res = run(root, 'generate', 'controller', 'Pages', 'home', 'about_us');
    assert.equal(res.status, 0, res.stderr);
    assert.equal(readFileSync(join(root, 'app/controllers/pages_controller.ts'), 'utf8'), `import { Controller, Get } from 'stryke';
import { ApplicationController } from './application_controller';

@Controller('/pages')
export class PagesController extends ApplicationController {
  @Get('/home')
  home() {
    return this.render('pages/home');
  }

  @Get('/about_us')
  about_us() {
    return this.render('pages/about_us');
  }
}
`);
    assert.match(readFileSync(join(root, 'app/views/pages/about_us.hbs'), 'utf8'), /app\/views\/pages\/about_us\.hbs/);
    assert.ok(existsSync(join(root, 'test/pages_controller.test.ts')));
  });

  it('writes a job class and its test; again is identical; another queue is a conflict until --force', () => {
    const res = run(root, 'g', 'job', 'SendReport');
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /^ +create {2}app\/jobs\/send_report_job\.ts$/m);
    assert.match(res.stdout, /^ +create {2}test\/jobs\/send_report_job\.test\.ts$/m);
    const code = readFileSync(join(root, 'app/jobs/send_report_job.ts'), 'utf8');
    assert.match(code, /^@Job\(\{ queue: 'default' \}\)\nexport class SendReportJob extends ApplicationJob \{\n {2}async perform\(message: string\)/m);
    const test = readFileSync(join(root, 'test/jobs/send_report_job.test.ts'), 'utf8');
    assert.match(test, /SendReportJob\.performLater\('from the queue'\)/);
    assert.match(test, /startJobWorkers\(\{ queues: \['default'\] \}\)/);

    const again = run(root, 'generate', 'job', 'SendReportJob');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^ +identical {2}app\/jobs\/send_report_job\.ts$/m);
    assert.match(again.stdout, /nothing to do/);

    const other = run(root, 'generate', 'job', 'send_report', 'queue:mailers');
    assert.equal(other.status, 1);
    assert.match(other.stderr, /STRYKE_E_GENERATOR_CONFLICT/);
    assert.equal(readFileSync(join(root, 'app/jobs/send_report_job.ts'), 'utf8'), code, 'nothing written on a conflict');
    const forced = run(root, 'generate', 'job', 'send_report', 'queue:mailers', '--force');
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(readFileSync(join(root, 'app/jobs/send_report_job.ts'), 'utf8'), /@Job\(\{ queue: 'mailers' \}\)/);
    assert.match(readFileSync(join(root, 'test/jobs/send_report_job.test.ts'), 'utf8'), /queueFor\('mailers'\)/);
  });

  it('refuses a job without a real name or with stray arguments, in one line, writing nothing', () => {
    const bare = run(root, 'generate', 'job', 'Job');
    assert.equal(bare.status, 1);
    assert.match(oneLine(bare.stderr), /"Job" cannot be used as a name: .*\(STRYKE_E_GENERATOR_BAD_NAME\)$/);
    const stray = run(root, 'generate', 'job', 'Cleanup', 'uploads:string');
    assert.equal(stray.status, 1);
    assert.match(oneLine(stray.stderr), /Bad field "uploads:string": a job takes its name and, optionally, queue:<name>.*\(STRYKE_E_GENERATOR_BAD_FIELD\)$/);
    assert.ok(!existsSync(join(root, 'app/jobs/cleanup_job.ts')));
  });
});
