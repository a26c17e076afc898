import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMAND_TIMEOUT, BIN } from '../support/cli';

function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'development', DATABASE_URL: '' };
  delete env.NODE_TEST_CONTEXT; // else the nested `node --test` of `stryke test` skips every file
  return env;
}

function run(cwd: string, ...args: string[]) {
  const res = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: userEnv(), timeout: COMMAND_TIMEOUT });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Every generator, with every field type, modifier and a references field. */
const RUNS: string[][] = [
  ['model', 'Author', 'name:string', 'email:string:unique'],
  ['scaffold', 'Article', 'title:string{120}', 'body:text', 'author:references', 'published:boolean', 'price:decimal{8,2}', 'rating:integer:index',
    'published_on:date', 'starts_at:datetime', 'meta:json', 'token:uuid', 'views:bigint', 'ratio:float', 'notes:text:optional'],
  ['resource', 'Comment', 'article:belongs_to', 'body:text'],
  ['migration', 'AddSubtitleToArticles', 'subtitle:string', 'editor:references'],
  ['migration', 'CreateTags', 'name:string:unique'],
  ['migration', 'BackfillSlugs'],
  ['controller', 'Pages', 'home', 'about'],
  ['controller', 'admin/dashboard', 'index'],
  ['middleware', 'RequestTiming'],
  ['job', 'SendReport'],
  ['job', 'DeliverDigest', 'queue:mailers'],
  ['mailer', 'UserMailer', 'welcome', 'password_reset'],
  ['scaffold', 'Photo', 'caption:string', 'image:attachment', 'scans:attachments'],
  ['storage'],
  ['channel', 'Chat', 'speak', 'typing'],
];

/** Generators an --api app refuses (they write pages): run in the HTML app only. */
const HTML_ONLY: string[][] = [['pwa']];

/**
 * Generators whose own test file renders them into new apps, compiles them and runs the apps' own tests on
 * SQLite, PostgreSQL and MariaDB: test/cli/generate-auth.test.ts and test/cli/generate-admin.test.ts.
 */
const COVERED_ELSEWHERE = ['auth', 'admin'];

/** The generators `stryke generate --help` lists. */
function listedGenerators(cwd: string): string[] {
  const help = run(cwd, 'generate', '--help').stdout;
  const section = help.split(/^Generators:$/m)[1]!.split('\n\n')[0]!;
  return [...section.matchAll(/^ {2}([a-z]+)(?: <| {2})/gm)].map((m) => m[1]!);
}

describe('every generator renders code that compiles with tsc and passes its own tests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-compile-'));

  it('covers every generator there is', () => {
    const listed = listedGenerators(dir);
    assert.ok(listed.length >= 5, listed.join(', '));
    assert.deepEqual([...new Set([...RUNS, ...HTML_ONLY].map((r) => r[0]!)), ...COVERED_ELSEWHERE].sort(), [...listed].sort());
  });

  for (const flavour of ['html', 'api'] as const) {
    it(`in a${flavour === 'api' ? 'n --api' : 'n HTML'} app`, () => {
      const name = `every-${flavour}`;
      const created = run(dir, 'new', name, '-q', ...(flavour === 'api' ? ['--api'] : []));
      assert.equal(created.status, 0, created.stderr);
      const root = join(dir, name);
      for (const args of flavour === 'html' ? [...RUNS, ...HTML_ONLY] : RUNS) {
        const res = run(root, 'generate', ...args);
        assert.equal(res.status, 0, `generate ${args.join(' ')}: ${res.stderr}`);
      }
      const built = run(root, 'build');
      assert.equal(built.status, 0, `tsc: ${built.stdout}${built.stderr}`);
      const migrated = run(root, 'db', 'migrate');
      assert.equal(migrated.status, 0, migrated.stdout + migrated.stderr);
      const tests = run(root, 'test');
      assert.equal(tests.status, 0, tests.stdout + tests.stderr);
      assert.match(tests.stdout, /# fail 0\n/);
      // home, Author (2), Article model (2) and controller (7 in HTML and as JSON, with paging), Comment (2), Pages (2),
      // admin/dashboard (1), RequestTiming (1), SendReportJob (2), DeliverDigestJob (2), UserMailer (2),
      // Photo (with attachments) model (2) and controller (8 in HTML, which uploads and pages; 7 as JSON, which pages),
      // ChatChannel (3: connects, speak, typing)
      assert.match(tests.stdout, flavour === 'api' ? /# pass 36\n/ : /# pass 37\n/);
    });
  }
});
