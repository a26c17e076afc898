import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Client } from 'pg';
import { COMMAND_TIMEOUT, BIN, freePort, waitForHttp } from '../support/cli';

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

/**
 * Why a database server cannot be used here, or undefined when it answers. Under CI=true an
 * unreachable server is a failure, never a skip. (A generous timeout: the machine is busy compiling.)
 */
async function unreachable(adapter: 'postgres' | 'mysql'): Promise<string | undefined> {
  try {
    if (adapter === 'postgres') {
      const c = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 10_000 });
      await c.connect();
      await c.end();
    } else {
      const mysql = await import('mysql2/promise');
      const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', connectTimeout: 10_000 });
      await c.end();
    }
    return undefined;
  } catch (err) {
    const why = `${adapter} at 127.0.0.1 is unreachable (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${why}: CI requires it`);
    return why;
  }
}

describe('stryke new --database, then scaffold, migrate, test and serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-generate-db-'));

  for (const adapter of ['postgres', 'mysql'] as const) {
    // The server is probed when the test runs (not while other tests block the event loop with spawnSync).
    it(`works end to end on ${adapter}`, async (t) => {
      const why = await unreachable(adapter);
      if (why) {
        t.skip(why);
        return;
      }
      const name = `stryke_gen_${adapter}_${process.pid}`;
      const root = join(dir, name);
      try {
        const created = run(dir, 'new', name, '--database', adapter);
        assert.equal(created.status, 0, created.stderr);
        assert.match(readFileSync(join(root, 'config/database.toml'), 'utf8'), new RegExp(`adapter = "${adapter}"`));
        assert.equal(run(root, 'generate', 'scaffold', 'Post', 'title:string', 'body:text', 'published:boolean').status, 0);

        const migrated = run(root, 'db', 'migrate');
        assert.equal(migrated.status, 0, migrated.stdout + migrated.stderr);
        assert.match(migrated.stdout, new RegExp(`Created ${adapter} database ${name}_development`));
        assert.match(migrated.stdout, /migrating \d{14} CreatePosts … done/);

        const tests = run(root, 'test');
        assert.equal(tests.status, 0, tests.stdout + tests.stderr);
        assert.match(tests.stdout, /# pass 10\n/); // home (1), Post model (2), posts controller (7)

        const port = await freePort();
        const server = spawn(process.execPath, [BIN, 'server', '--port', String(port), '--host', '127.0.0.1', '--no-build'], {
          cwd: root, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        server.stdout.on('data', (d) => (output += d));
        server.stderr.on('data', (d) => (output += d));
        try {
          await waitForHttp(`http://127.0.0.1:${port}/posts`);
          const page = await fetch(`http://127.0.0.1:${port}/posts`);
          assert.equal(page.status, 200, output);
          assert.match(await page.text(), /<h1>Posts<\/h1>/);
          const json = await fetch(`http://127.0.0.1:${port}/posts.json`);
          assert.equal(json.status, 200, output);
          assert.deepEqual(await json.json(), []);
        } finally {
          const exited = new Promise((r) => server.once('exit', r));
          server.kill('SIGTERM');
          await exited;
        }
      } finally {
        if (existsSync(join(root, 'config'))) {
          for (const env of ['development', 'test']) {
            const dropped = run(root, 'db', 'drop', '-e', env);
            assert.equal(dropped.status, 0, dropped.stderr);
            assert.match(dropped.stdout, /Dropped|does not exist/);
          }
        }
      }
    });
  }
});
