import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stryke, withServer, writeApp } from '../support/cli';
import { CREATE_NOTES, notesApp } from '../support/notes-app';

/**
 * The first time an app goes to production, as the docs tell it: `stryke build`, then
 * `STRYKE_ENV=production stryke db prepare`, then `stryke start`, each run in the app's directory.
 */

/** Runs `stryke start` in production in `root` until `/health` answers, returns what `fn` found, then stops it. */
const serveProduction = <T>(root: string, fn: (base: string) => Promise<T>): Promise<T> =>
  withServer(['start', '--workers', '1', '--host', '127.0.0.1'], { cwd: root, env: { STRYKE_ENV: 'production', SECRET_KEY_BASE: 'p'.repeat(64) } }, fn);

describe('the first production run: build, db prepare, start', () => {
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
