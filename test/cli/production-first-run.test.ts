import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { consoleWith, stryke, strykeBackground, until, withServer, writeApp } from '../support/cli';
import { CREATE_NOTES, notesApp } from '../support/notes-app';

/**
 * The first time an app goes to production, as the docs tell it: `stryke build`, then
 * `STRYKE_ENV=production stryke db prepare`, then `stryke start`, each run in the app's directory.
 */

/** Runs `stryke start` in production in `root` until `/health` answers, returns what `fn` found, then stops it. */
const serveProduction = <T>(root: string, fn: (base: string) => Promise<T>): Promise<T> =>
  withServer(['start', '--workers', '1', '--host', '127.0.0.1'], { cwd: root, env: { STRYKE_ENV: 'production', SECRET_KEY_BASE: 'p'.repeat(64) } }, fn);

/** `stryke console` in production (see consoleWith). */
const productionConsole = (root: string, input: string) => consoleWith(root, input, { env: { STRYKE_ENV: 'production', SECRET_KEY_BASE: 'p'.repeat(64) } });

/** Every file under `root` (node_modules left out) with its size, mtime and content hash. */
function tree(root: string, dir = root, out: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    if (dir === root && name === 'node_modules') continue;
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) tree(root, path, out);
    else out[relative(root, path)] = `${st.size} ${st.mtimeMs} ${createHash('sha1').update(readFileSync(path)).digest('hex')}`;
  }
  return out;
}

describe('the first production run: build, db prepare, start', () => {
  it('db prepare, migrate and rollback in production write nothing into the deployed folder (no db/schema.json), unless asked to', () => {
    const root = notesApp();
    // The database outside the folder, so that the folder holds only what the build wrote.
    const production = { STRYKE_ENV: 'production', SECRET_KEY_BASE: 'p'.repeat(64), DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'stryke-prod-db-')), 'production.sqlite3')}` };
    assert.equal(stryke(['build'], { cwd: root }).status, 0);
    const built = tree(root);

    const prepared = stryke(['db', 'prepare'], { cwd: root, env: production });
    assert.equal(prepared.status, 0, prepared.stderr + prepared.stdout);
    assert.match(prepared.stdout, /migrating 20260101000000 CreateNotes … done/);
    assert.doesNotMatch(prepared.stdout, /Wrote db\/schema\.json/);
    assert.deepEqual(tree(root), built);

    writeFileSync(join(root, 'db', 'migrations', '20260102000000_create_tags.ts'), CREATE_NOTES.replace(/notes/g, 'tags').replace('CreateNotes', 'CreateTags'));
    assert.equal(stryke(['build'], { cwd: root }).status, 0);
    const rebuilt = tree(root);
    for (const args of [['db', 'migrate'], ['db', 'rollback'], ['db', 'migrate', '--root', 'dist']]) {
      const res = stryke(args, { cwd: root, env: production });
      assert.equal(res.status, 0, res.stderr + res.stdout);
      assert.match(res.stdout, /(migrating|reverting) 20260102000000 CreateTags … done/);
      assert.deepEqual(tree(root), rebuilt, args.join(' '));
    }

    // Asked for: `--dump` (or dump_schema_after_migration = true in config/database.toml's [production]).
    assert.equal(stryke(['db', 'rollback'], { cwd: root, env: production }).status, 0);
    const dumped = stryke(['db', 'migrate', '--dump'], { cwd: root, env: production });
    assert.equal(dumped.status, 0, dumped.stderr + dumped.stdout);
    assert.match(dumped.stdout, /Wrote db\/schema\.json/);
    assert.ok(existsSync(join(root, 'dist', 'db', 'schema.json')));
  });

  it('works in the app directory with SQLite: one database, the one start opens; start refuses a database it would fail on', async () => {
    const root = notesApp();
    const production = { STRYKE_ENV: 'production', SECRET_KEY_BASE: 'p'.repeat(64) };
    const built = stryke(['build'], { cwd: root });
    assert.equal(built.status, 0, built.stderr + built.stdout);

    // Before the database exists: one line saying what to run, not a server answering 500 "no such table".
    const early = stryke(['start', '--port', '0'], { cwd: root, env: production });
    assert.equal(early.status, 1);
    assert.match(early.stderr, /^stryke: sqlite database dist\/db\/production\.sqlite3 does not exist: run `stryke db prepare --env production` first.*\(STRYKE_E_CLI_NO_DATABASE\)\n$/);

    const prepared = stryke(['db', 'prepare'], { cwd: root, env: production });
    assert.equal(prepared.status, 0, prepared.stderr + prepared.stdout);
    assert.match(prepared.stdout, /migrating 20260101000000 CreateNotes … done/);
    assert.match(prepared.stdout, /seeding the database … done/);

    const notes = await serveProduction(root, async (base) => {
      const res = await fetch(`${base}/notes`);
      return { status: res.status, body: await res.json() };
    });
    assert.deepEqual(notes, { status: 200, body: { notes: ['seeded'] } });
    // The same database from the build's own directory (a deploy that copies dist/ alone).
    const fromDist = stryke(['db', 'status'], { cwd: join(root, 'dist'), env: production });
    assert.match(fromDist.stdout, /up\s+20260101000000\s+create_notes/);

    // A new migration, built but not run: start refuses and names it.
    writeFileSync(join(root, 'db', 'migrations', '20260102000000_create_tags.ts'), CREATE_NOTES.replace(/notes/g, 'tags').replace('CreateNotes', 'CreateTags'));
    assert.equal(stryke(['build'], { cwd: root }).status, 0);
    const pending = stryke(['start', '--port', '0'], { cwd: root, env: production });
    assert.equal(pending.status, 1);
    assert.match(pending.stderr, /^stryke: sqlite database dist\/db\/production\.sqlite3 has 1 pending migration\(s\) \(20260102000000 create_tags\): run `stryke db migrate --env production` first.*\(STRYKE_E_CLI_PENDING_MIGRATIONS\)\n$/);
  });

  it('stryke console and stryke jobs work, run in the app directory, use the database stryke start opens (dist/)', async () => {
    const root = notesApp({
      'config/jobs.toml': '[production]\nworkers_per_core = 0\n',
      'app/jobs/add_note_job.ts': `import { ApplicationJob, Job } from 'stryke/jobs';
import { Note } from '../models/note';

@Job()
export class AddNoteJob extends ApplicationJob {
  async perform(text: string) {
    await Note.create({ text });
  }
}
`,
    });
    const production = { STRYKE_ENV: 'production', SECRET_KEY_BASE: 'p'.repeat(64) };
    assert.equal(stryke(['build'], { cwd: root }).status, 0);
    const prepared = stryke(['db', 'prepare'], { cwd: root, env: production });
    assert.equal(prepared.status, 0, prepared.stderr + prepared.stdout);

    // Before: the console opened db/production.sqlite3 (no tables there: "no such table: notes"), and a job it
    // enqueued waited in a queue no worker of the server's database would ever see.
    const typed = await productionConsole(root, ["await Note.create({ text: 'from the console' })", "await AddNoteJob.performLater('from a job')"].join('\n'));
    assert.equal(typed.status, 0, typed.stderr);
    assert.doesNotMatch(typed.stdout, /Uncaught/, typed.stdout);

    const worker = strykeBackground(['jobs', 'work'], { cwd: root, env: production });
    let out = '';
    worker.stdout!.on('data', (d) => (out += d));
    worker.stderr!.on('data', (d) => (out += d));
    try {
      const notes = await serveProduction(root, async (base) => {
        const read = async () => ((await (await fetch(`${base}/notes`)).json()) as { notes: string[] }).notes;
        await until(async () => (await read()).includes('from a job'), 60_000, `the job's note (the worker printed: ${out})`).catch((err: Error) => {
          throw new Error(`${err.message}; the worker printed:\n${out}`);
        });
        return read();
      });
      assert.deepEqual(notes.sort(), ['from a job', 'from the console', 'seeded']);
    } finally {
      const exited = new Promise((done) => worker.once('exit', done));
      worker.kill('SIGTERM');
      await exited;
    }
  });

  it('a boot error that will repeat (no secret key in production) stops the primary at once, with its one line', () => {
    const root = writeApp({ 'config/server.toml': 'log_level = "warn"\n', 'app/controllers/home_controller.ts': `import { ActionController, Controller, Get } from 'stryke';
@Controller('/')
export class HomeController extends ActionController {
  @Get('/')
  index() { return { ok: true }; }
}
` });
    assert.equal(stryke(['build', '--root', root]).status, 0);
    const res = stryke(['start', '--root', root, '--port', '0', '--workers', '2', '--env', 'production'], { env: { SECRET_KEY_BASE: '' } });
    assert.equal(res.status, 1);
    assert.doesNotMatch(res.stdout + res.stderr, /starting a replacement|keep crashing/);
    const errors = res.stderr.trim().split('\n');
    assert.equal(errors.length, 1, res.stderr);
    assert.match(errors[0]!, /^stryke: .*secret.*\(STRYKE_E_[A-Z_]+\)$/i);
  });
});
