import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { COMMAND_TIMEOUT, BIN, stryke, writeApp } from '../support/cli';
import { Progress } from '../../framework/cli/progress';

/** Long steps report progress: plain lines on a pipe, a spinner and colour on a terminal, nothing with --quiet, JSON lines with --json. */

const CREATE_POSTS = `import { migration } from 'stryke';

export default migration('CreatePosts', {
  change(m) {
    m.createTable('posts', (t) => {
      t.string('title');
      t.timestamps();
    });
  },
});
`;

const ADD_BROKEN = `import { migration } from 'stryke';

export default migration('AddRating', {
  change(m) {
    m.addColumn('no_such_table', 'rating', 'integer');
  },
});
`;

const HOME = `import { ActionController, Controller, Get } from 'stryke';

@Controller('/')
export class HomeController extends ActionController {
  @Get('/', { as: 'root' })
  index() {
    return { ok: true };
  }
}
`;

const ESC = /\x1b/;
const ELAPSED = String.raw`\(\d+\.\ds\)`;

function lines(stdout: string): string[] {
  return stdout.split('\n').filter(Boolean);
}

function events(stdout: string): Record<string, any>[] {
  return lines(stdout).map((l) => {
    try {
      return JSON.parse(l) as Record<string, any>;
    } catch {
      throw new Error(`not a JSON line: ${JSON.stringify(l)}\nin:\n${stdout}`);
    }
  });
}

describe('progress of long steps', () => {
  const roots: string[] = [];
  after(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });
  const app = (files: Record<string, string> = {}) => {
    const root = writeApp({ 'app/controllers/home_controller.ts': HOME, 'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n', ...files });
    roots.push(root);
    return { root, env: { DATABASE_URL: `sqlite:${join(root, 'db', 'dev.sqlite3')}` } };
  };

  it('on a pipe: one plain line per step (compile, each migration), no escape codes, no carriage returns', () => {
    const { root, env } = app({ 'db/migrations/20260101000000_create_posts.ts': CREATE_POSTS });
    const res = stryke(['db', 'migrate', '--root', root], { env: { ...env, NO_COLOR: '' } });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`^compiling the app … done ${ELAPSED}$`, 'm'));
    assert.match(res.stdout, new RegExp(`^migrating 20260101000000 CreatePosts … done ${ELAPSED}\\n  -- createTable\\(posts\\)$`, 'm'));
    assert.match(res.stdout, /^Wrote db\/schema\.json$/m);
    assert.doesNotMatch(res.stdout, ESC);
    assert.doesNotMatch(res.stdout, /\r/);

    const rolled = stryke(['db', 'rollback', '--root', root], { env });
    assert.equal(rolled.status, 0, rolled.stderr);
    assert.match(rolled.stdout, new RegExp(`^reverting 20260101000000 CreatePosts … done ${ELAPSED}$`, 'm'));
  });

  it('on a pipe, a step says what it is doing when it starts, and ends the same line when done', () => {
    const written: string[] = [];
    const stream = { write: (t: string) => { written.push(t); return true; }, isTTY: false } as unknown as NodeJS.WriteStream;
    const out = new Progress('plain', stream);
    const step = out.begin({ id: 'compile', doing: 'compiling the app', done: 'compiled the app' });
    assert.equal(written.join(''), 'compiling the app … ', 'said before the step ends');
    step.done();
    assert.match(written.join(''), new RegExp(`^compiling the app … done ${ELAPSED}\\n$`));
    // A line written while a step runs ends the step's line first; the step's outcome then has a line of its own.
    const second = out.begin({ id: 'seed', doing: 'seeding', done: 'seeded' });
    out.info('Created sqlite database');
    second.done();
    assert.match(written.join(''), new RegExp(`\\nseeding … \\nCreated sqlite database\\nseeding … done ${ELAPSED}\\n$`));
  });

  it('compiles once: db prepare migrates and seeds on one compile, the next command starts no compiler, an edit compiles again', () => {
    const { root, env } = app({ 'db/migrations/20260101000000_create_posts.ts': CREATE_POSTS, 'db/seeds.ts': 'export default async function seed() {}\n' });
    const prepared = stryke(['db', 'prepare', '--root', root], { env });
    assert.equal(prepared.status, 0, prepared.stderr);
    assert.equal(prepared.stdout.match(/compiling the app/g)?.length, 1, prepared.stdout);
    assert.match(prepared.stdout, /^seeding the database … done/m);

    const again = stryke(['db', 'migrate', '--root', root], { env });
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /compiling the app/);
    assert.match(again.stdout, /Nothing to migrate/);

    writeFileSync(join(root, 'db', 'migrations', '20260101000001_create_tags.ts'), CREATE_POSTS.replace(/posts/g, 'tags').replace('CreatePosts', 'CreateTags'));
    const changed = stryke(['db', 'migrate', '--root', root], { env });
    assert.equal(changed.status, 0, changed.stderr);
    assert.match(changed.stdout, /^compiling the app … done/m);
    assert.match(changed.stdout, /^migrating 20260101000001 CreateTags … done/m);
  });

  it('--quiet prints nothing but errors', () => {
    const { root, env } = app({ 'db/migrations/20260101000000_create_posts.ts': CREATE_POSTS });
    const ok = stryke(['db', 'migrate', '--root', root, '--quiet'], { env });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, '');
    assert.equal(ok.stderr, '');

    writeFileSync(join(root, 'db', 'migrations', '20260101000001_add_rating.ts'), ADD_BROKEN);
    const failed = stryke(['db', 'migrate', '--root', root, '-q'], { env });
    assert.equal(failed.status, 1);
    assert.equal(failed.stdout, '');
    assert.match(failed.stderr, /^stryke: .*20260101000001_add_rating\.ts.*\(STRYKE_E_MIGRATION_FAILED\)\n$/);
  });

  it('--json prints one JSON event per line: steps start and end, details, the result last', () => {
    const { root, env } = app({ 'db/migrations/20260101000000_create_posts.ts': CREATE_POSTS });
    const res = stryke(['db', 'migrate', '--root', root, '--json'], { env });
    assert.equal(res.status, 0, res.stderr);
    const all = events(res.stdout);
    const steps = all.filter((e) => e.event === 'step').map((e) => `${e.id} ${e.status}`);
    assert.deepEqual(steps, ['compile start', 'compile done', 'migrate:20260101000000 start', 'migrate:20260101000000 done']);
    assert.ok(all.filter((e) => e.status === 'done').every((e) => Number.isInteger(e.ms) && e.ms >= 0));
    assert.deepEqual(all.find((e) => e.event === 'detail'), { event: 'detail', step: 'migrate:20260101000000', message: '-- createTable(posts)' });
    assert.deepEqual(all.at(-1), { event: 'result', database: `sqlite database ${join(root, 'db', 'dev.sqlite3')}`, migrated: ['20260101000000'] });

    const status = stryke(['db', 'status', '--root', root, '--json'], { env });
    assert.equal(status.status, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout).migrations.map((m: { version: string; state: string }) => `${m.version} ${m.state}`), ['20260101000000 up']);

    // A failing step: its event says failed with the error, an error event follows; stderr has the one line.
    writeFileSync(join(root, 'db', 'migrations', '20260101000001_add_rating.ts'), ADD_BROKEN);
    const failed = stryke(['db', 'migrate', '--root', root, '--json'], { env });
    assert.equal(failed.status, 1);
    const failedEvents = events(failed.stdout);
    const step = failedEvents.find((e) => e.event === 'step' && e.status === 'failed');
    assert.equal(step?.id, 'migrate:20260101000001');
    assert.equal(step?.error.code, 'STRYKE_E_MIGRATION_FAILED');
    assert.equal(failedEvents.at(-1)?.event, 'error');
    assert.equal(failedEvents.at(-1)?.code, 'STRYKE_E_MIGRATION_FAILED');
    assert.match(failed.stderr, /\(STRYKE_E_MIGRATION_FAILED\)\n$/);
  });

  it('a failed step says so, then the compiler\'s diagnostics and the one-line error; exit 1', () => {
    const { root, env } = app({ 'app/models/broken.ts': 'export const n: number = "not a number";\n' });
    const res = stryke(['db', 'migrate', '--root', root], { env });
    assert.equal(res.status, 1);
    assert.match(res.stdout, new RegExp(`^compiling the app … failed ${ELAPSED}$`, 'm'));
    assert.doesNotMatch(res.stdout, /done/);
    assert.match(res.stderr, /app\/models\/broken\.ts\(1,14\): error TS2322/);
    assert.match(res.stderr, /\nstryke: The app does not compile.*\(STRYKE_E_CLI_COMPILE_FAILED\)\n$/);

    const json = events(stryke(['db', 'migrate', '--root', root, '--json'], { env }).stdout);
    assert.deepEqual(json.map((e) => `${e.event} ${e.status ?? e.code}`), ['step start', 'step failed', 'error STRYKE_E_CLI_COMPILE_FAILED']);
    assert.match(json[2]!.output, /app\/models\/broken\.ts\(1,14\): error TS2322/);
  });

  it('stryke build reports compile, views, assets, config, the route manifest and the bundle', () => {
    const { root } = app({ 'public/app.css': 'body { color: #222; }\n'.repeat(50), 'app/views/home/index.hbs': '<p>hi</p>\n' });
    const res = stryke(['build', '--root', root]);
    assert.equal(res.status, 0, res.stderr);
    const steps = lines(res.stdout).filter((l) => / … done \(/.test(l)).map((l) => l.replace(/ … done.*/, ''));
    assert.deepEqual(steps, [
      'compiling the app', 'copying the compiled code', 'precompiling the views', 'fingerprinting and compressing the assets',
      'copying config/ and package.json', 'writing the route manifest', 'bundling the serving code',
    ]);
    assert.match(res.stdout, /^Built .*dist\/ in \d+ ms: 1 template, 1 asset, 1 route\.$/m);

    const quiet = stryke(['build', '--root', root, '--quiet']);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stdout, '');

    // The app compiled in the first build and has not changed since: no compile step.
    const json = events(stryke(['build', '--root', root, '--json']).stdout);
    assert.deepEqual(json.filter((e) => e.event === 'step' && e.status === 'done').map((e) => e.id), ['code', 'views', 'assets', 'config', 'routes', 'bundle']);
    assert.equal(json.at(-1)?.event, 'result');
    assert.equal(json.at(-1)?.files.length, 1);
  });

  it('stryke new reports writing the files and linking the framework', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stryke-progress-new-'));
    roots.push(dir);
    const res = stryke(['new', 'blog'], { cwd: dir });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`^writing \\d+ files … done ${ELAPSED}$`, 'm'));
    assert.match(res.stdout, new RegExp(`^linking node_modules/stryke to this framework … done ${ELAPSED}$`, 'm'));
    assert.match(res.stdout, /^ +create {2}config\/routes\.ts$/m);
    assert.doesNotMatch(res.stdout, ESC);
  });

  it('colour only when asked for on a pipe: FORCE_COLOR colours it, still without carriage returns', () => {
    const { root, env } = app({ 'db/migrations/20260101000000_create_posts.ts': CREATE_POSTS });
    const res = stryke(['db', 'migrate', '--root', root], { env: { ...env, NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /migrating 20260101000000 CreatePosts … \x1b\[32mdone\x1b\[0m/);
    assert.doesNotMatch(res.stdout, /\r/);
  });

  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  const noScript = script.status !== 0 ? 'needs `script` from util-linux, to run the CLI on a terminal' : false;

  it('on a terminal: a spinner with the elapsed time, then a coloured ✔ line per step', { skip: noScript }, () => {
    const { root, env } = app({ 'db/migrations/20260101000000_create_posts.ts': CREATE_POSTS });
    const command = [process.execPath, BIN, 'db', 'migrate', '--root', root].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const run = (extra: Record<string, string>) => {
      const { NO_COLOR: _n, FORCE_COLOR: _f, ...base } = process.env;
      return spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', timeout: COMMAND_TIMEOUT, env: { ...base, TERM: 'xterm', ...env, ...extra } });
    };
    const res = run({});
    assert.equal(res.status, 0, res.stdout + res.stderr);
    // The spinner redraws its line in place: carriage return, clear line, frame, label, elapsed time.
    assert.match(res.stdout, /\r\x1b\[2K\x1b\[33m[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]\x1b\[0m compiling the app… \x1b\[2m\d+\.\ds\x1b\[0m/);
    assert.match(res.stdout, /\x1b\[32m✔\x1b\[0m compiled the app \x1b\[2m\(\d+\.\ds\)\x1b\[0m/);
    assert.match(res.stdout, /\x1b\[32m✔\x1b\[0m migrated 20260101000000 CreatePosts/);
    assert.doesNotMatch(res.stdout, / … done/, 'no plain lines on a terminal');

    // NO_COLOR: still a spinner (it is not colour), but no colour codes.
    const noColor = run({ NO_COLOR: '1', DATABASE_URL: `sqlite:${join(root, 'db', 'other.sqlite3')}` });
    assert.equal(noColor.status, 0, noColor.stdout);
    assert.match(noColor.stdout, /\r\x1b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /);
    assert.match(noColor.stdout, /✔ migrated 20260101000000 CreatePosts \(\d+\.\ds\)/);
    assert.doesNotMatch(noColor.stdout, /\x1b\[\d+m/);
  });
});
