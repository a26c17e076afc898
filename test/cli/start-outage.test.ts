import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from 'pg';
import { startServer, stryke, until, writeApp } from '../support/cli';

/**
 * A TCP proxy in front of the machine's PostgreSQL (or Redis): `up` forwards, `blackhole` accepts connections and never
 * answers (a database that hangs), `cut()` drops every open connection. The outage is the proxy's: the shared
 * server is never touched.
 */
async function tcpProxy(target = 5432) {
  let mode: 'up' | 'blackhole' = 'up';
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => {});
    if (mode === 'blackhole') return;
    const upstream = net.connect(target, '127.0.0.1');
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    set(m: 'up' | 'blackhole') { mode = m; },
    cut() { for (const s of open) s.destroy(); },
    close() { for (const s of open) s.destroy(); server.close(); },
  };
}

const files = (database: string) => ({
  'config/server.toml': 'log_level = "warn"\n',
  'config/database.toml': database,
  'db/migrations/20260101000000_create_notes.ts': `import { migration } from 'stryke';

export default migration('CreateNotes', {
  change(m) {
    m.createTable('notes', (t) => {
      t.string('body');
    });
  },
});
`,
  'app/models/note.ts': `import { ActiveRecord, Field, Model } from 'stryke';

@Model('notes')
export class Note extends ActiveRecord {
  @Field({ primary: true }) id!: number;
  @Field() body!: string;
}
`,
  'app/controllers/notes_controller.ts': `import { ActionController, Controller, Get } from 'stryke';
import { Note } from '../models/note';

@Controller('/notes')
export class NotesController extends ActionController {
  @Get('/')
  async index() {
    return { count: await Note.count() };
  }
}
`,
});

/** `direct`: the database's own URL for the migration (a proxy in this process cannot forward while it waits on the command). */
async function startApp(root: string, direct?: string) {
  const built = stryke(['build', '--root', root]);
  assert.equal(built.status, 0, built.stderr + built.stdout);
  const migrated = stryke(['db', 'migrate', '--root', root], direct ? { env: { DATABASE_URL: direct } } : {});
  assert.equal(migrated.status, 0, migrated.stderr + migrated.stdout);
  const { server, port, output } = await startServer(['start', '--root', root, '--workers', '1', '--host', '127.0.0.1']);
  return { server, url: `http://127.0.0.1:${port}`, output };
}

describe('losing the database under stryke start', () => {
  const name = `stryke_t_outage_${process.pid}`;
  const admin = () => new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });

  after(async () => {
    const c = admin();
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });

  it('answers 503 with Retry-After and fails /ready while PostgreSQL hangs, and recovers when it is back', async () => {
    const c = admin();
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const proxy = await tcpProxy(5432);
    const root = writeApp(files(`adapter = "postgres"\nhost = "127.0.0.1"\nport = ${proxy.port}\nusername = "postgres"\ndatabase = "${name}"\nconnect_timeout = 1\n`));
    const { server, url, output } = await startApp(root, `postgres://postgres@127.0.0.1:5432/${name}`);
    try {
      const ready = await fetch(`${url}/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready' });
      assert.equal((await fetch(`${url}/notes`)).status, 200);

      // The database hangs: open connections drop, new ones are accepted and never answered.
      proxy.set('blackhole');
      proxy.cut();

      const json = await fetch(`${url}/notes`, { headers: { accept: 'application/json' } });
      assert.equal(json.status, 503, output());
      assert.equal(json.headers.get('retry-after'), '5');
      assert.match(json.headers.get('content-type') ?? '', /application\/problem\+json/);
      const problem = (await json.json()) as { status: number; code?: string };
      assert.equal(problem.status, 503);
      assert.equal(problem.code, 'STRYKE_E_ORM_UNAVAILABLE');

      const page = await fetch(`${url}/notes`, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 503);
      assert.equal(page.headers.get('retry-after'), '5');
      assert.match(await page.text(), /503 Service Unavailable/);

      const notReady = await fetch(`${url}/ready`);
      assert.equal(notReady.status, 503);
      assert.equal(notReady.headers.get('retry-after'), '5');
      const body = (await notReady.json()) as { status: string; failures: { check: string; reason: string }[] };
      assert.equal(body.status, 'unavailable');
      assert.equal(body.failures[0]!.check, 'database');
      assert.match(body.failures[0]!.reason, /^unreachable/);
      assert.equal((await fetch(`${url}/health`)).status, 200, '/health says the process is alive');

      proxy.set('up');
      await until(async () => (await fetch(`${url}/ready`)).status === 200, 60_000);
      assert.equal((await fetch(`${url}/notes`)).status, 200);
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
      proxy.close();
    }
  });

  it('fails /ready when the SQLite file is removed', async () => {
    const root = writeApp(files('adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n'));
    const { server, url } = await startApp(root);
    try {
      assert.equal((await fetch(`${url}/ready`)).status, 200);
      rmSync(join(root, 'db/app.sqlite3'));
      const res = await fetch(`${url}/ready`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { failures: { check: string; reason: string }[] };
      assert.equal(body.failures[0]!.check, 'database');
      assert.match(body.failures[0]!.reason, /app\.sqlite3 is missing/);
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });

  it('fails /ready while the job backend (Redis) hangs, and recovers when it is back', async () => {
    const proxy = await tcpProxy(6379);
    const root = writeApp({
      ...files('adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n'),
      'config/jobs.toml': `backend = "redis"\nurl = "redis://127.0.0.1:${proxy.port}/0"\nworkers_per_core = 0\n`,
      'app/jobs/ping_job.ts': `import { ApplicationJob, Job } from 'stryke/jobs';

@Job({ queue: 'stryke_t_outage_${process.pid}' })
export class PingJob extends ApplicationJob {
  async perform() {}
}
`,
    });
    const { server, url, output } = await startApp(root);
    try {
      const ready = await fetch(`${url}/ready`);
      assert.equal(ready.status, 200, output());
      proxy.set('blackhole');
      proxy.cut();
      const res = await fetch(`${url}/ready`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { failures: { check: string; reason: string }[] };
      assert.deepEqual(body.failures.map((f) => f.check), ['jobs']);
      assert.equal((await fetch(`${url}/notes`)).status, 200, 'the database still serves');
      // Back up: the hung connections drop, as a restarted server's do.
      proxy.set('up');
      proxy.cut();
      await until(async () => (await fetch(`${url}/ready`)).status === 200, 60_000);
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
      proxy.close();
    }
  });
});
