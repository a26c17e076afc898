import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, COMMAND_TIMEOUT, stryke, until, withServer, writeApp } from '../support/cli';

/**
 * What a `stryke start` worker and primary hold once the worker has answered its first request: the parts that
 * load on first use (the job dashboard's template compiler, fastify's schema compilers, a metrics registry, the
 * job queue's engine when no worker runs) must not be there yet, and the primary holds neither fastify nor the
 * app. Read from require.cache, so the app is built `--no-bundle` (a bundle's modules are not in it).
 */
const CENSUS = `
const { renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const cluster = require('node:cluster');
const file = join(process.env.CENSUS_DIR, (cluster.isWorker ? 'worker-' : 'primary-') + process.pid + '.json');
// Whole or not at all: the test copies the folder while the processes write.
const write = () => { writeFileSync(file + '.part', JSON.stringify(Object.keys(require.cache))); renameSync(file + '.part', file); };
setInterval(write, 200).unref();
`;

const NOTE = `import { ActiveRecord, Field, Model } from 'stryke';

@Model('notes')
export class Note extends ActiveRecord {
  @Field({ primary: true }) id!: number;
  @Field() text!: string;
}
`;

const app = () =>
  writeApp({
    'package.json': JSON.stringify({ name: 'notes', private: true }),
    'config/server.toml': 'log_level = "warn"\n',
    'config/database.toml': '[production]\nadapter = "sqlite"\ndatabase = "db/production.sqlite3"\n',
    // A dashboard (mounted at boot) and a database queue with no in-process worker.
    'config/jobs.toml': 'backend = "database"\nworkers_per_core = 0\n\n[dashboard]\nenabled = true\ntoken = "t0ken-for-the-census"\n',
    'db/migrations/20260101000000_create_notes.ts': `import { migration } from 'stryke';\nexport default migration('CreateNotes', { change(m) { m.createTable('notes', (t) => { t.string('text'); }); } });\n`,
    'app/models/note.ts': NOTE,
    'app/views/layouts/application.hbs': '<!doctype html><html><body>{{yield}}</body></html>\n',
    'app/views/notes/index.hbs': '<p>{{pluralize notes.length "note"}}</p>{{#each notes}}<p>{{text}} {{timeAgo createdAt}}</p>{{/each}}\n',
    'app/controllers/notes_controller.ts': `import { ActionController, Controller, Get } from 'stryke';
import { Note } from '../models/note';

@Controller('/notes')
export class NotesController extends ActionController {
  @Get('/')
  async index() {
    await Note.create({ text: 'first' });
    const notes = (await Note.all()).map((n) => ({ text: n.text, createdAt: new Date(Date.now() - 3 * 86_400_000) }));
    return this.render('notes/index', { notes });
  }
}
`,
  });

const production = { STRYKE_ENV: 'production', SECRET_KEY_BASE: 'c'.repeat(64), NO_COLOR: '1' };

describe('boot: what a stryke start worker and primary hold after the first response', () => {
  it('the worker has no template compiler, schema compiler, metrics registry, job queue engine or PostgreSQL date parser (a SQLite app); the primary no fastify, app, driver or routing', async () => {
    const root = app();
    const built = stryke(['build', '--no-bundle'], { cwd: root });
    assert.equal(built.status, 0, built.stderr + built.stdout);
    const prepared = stryke(['db', 'prepare'], { cwd: root, env: production });
    assert.equal(prepared.status, 0, prepared.stderr + prepared.stdout);

    const census = mkdtempSync(join(tmpdir(), 'stryke-census-'));
    writeFileSync(join(census, 'census.js'), CENSUS);
    const snapshot = mkdtempSync(join(tmpdir(), 'stryke-census-at-first-'));
    let page = '';
    let dashboard: { status: number; body: string } | undefined;
    await withServer(['start', '--workers', '1', '--host', '127.0.0.1'], {
      cwd: root, env: { ...production, CENSUS_DIR: census, NODE_OPTIONS: `--require ${join(census, 'census.js')}` },
    }, async (base) => {
      const res = await fetch(`${base}/notes`);
      page = await res.text();
      assert.equal(res.status, 200, page);
      // Both processes write their census every 200 ms: wait for one written after the response, and keep it.
      const since = Date.now();
      const deadline = since + COMMAND_TIMEOUT;
      const fresh = () => readdirSync(census).filter((f) => f.endsWith('.json')).length === 2;
      while (!fresh() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 600));
      cpSync(census, snapshot, { recursive: true });
      // The dashboard still answers, its templates compiled on this first page.
      const d = await fetch(`${base}/stryke/jobs`);
      dashboard = { status: d.status, body: await d.text() };
    });
    assert.match(page, /<p>1 note<\/p><p>first <time datetime="[^"]+" title="[^"]+">3 days ago<\/time><\/p>/);
    assert.equal(dashboard?.status, 401);
    assert.match(dashboard!.body, /<title>Sign in to see the jobs · Jobs<\/title>/);

    const read = (prefix: string) => JSON.parse(readFileSync(join(snapshot, readdirSync(snapshot).find((f) => f.startsWith(prefix) && f.endsWith('.json'))!), 'utf8')) as string[];
    const worker = read('worker-');
    assert.ok(worker.some((f) => f.includes('/node_modules/fastify/')), 'the census is a serving worker\'s');
    assert.ok(worker.some((f) => f.includes('/build/framework/jobs/dashboard/mount.js')), 'with the dashboard mounted');
    const early = ['/node_modules/handlebars/dist/cjs/handlebars/compiler/', '/node_modules/source-map/', '/build/framework/jobs/dashboard/templates.js',
      '/node_modules/@fastify/ajv-compiler/', '/node_modules/fast-json-stringify/index.js', '/node_modules/prom-client/', '/node_modules/bullmq/', '/node_modules/ioredis/',
      '/node_modules/typeorm/', '/node_modules/esbuild/', '/node_modules/typescript/', '/node_modules/postgres-date/'].filter((part) => worker.some((f) => f.includes(part)));
    assert.deepEqual(early, [], 'loaded before their first use');

    const primary = read('primary-');
    const held = ['/node_modules/fastify/', '/node_modules/better-sqlite3/', '/node_modules/handlebars/', '/node_modules/reflect-metadata/', '/node_modules/prom-client/',
      '/build/framework/db/database.js', '/build/framework/db/sqlite.js', '/build/framework/routing/', '/build/framework/http/', '/build/framework/server/boot-error.js',
      '/build/framework/observability/cluster-metrics.js', '/build/framework/assets/', '/build/app/'].filter((part) => primary.some((f) => f.includes(part)));
    assert.deepEqual(held, [], 'the primary supervises only');
  });

  it('an in-process job worker on the database queue loads BullMQ only when a job is due: enqueued from another process or from a request, it runs', async () => {
    const root = writeApp({
      'package.json': JSON.stringify({ name: 'pings', private: true }),
      'config/server.toml': 'log_level = "warn"\n',
      'config/database.toml': '[production]\nadapter = "sqlite"\ndatabase = "db/production.sqlite3"\n',
      'config/jobs.toml': 'backend = "database"\nworkers_per_core = 1\n',
      'app/jobs/ping_job.ts': `import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationJob, Job } from 'stryke/jobs';

@Job({ queue: 'pings' })
export class PingJob extends ApplicationJob {
  async perform(from: string) {
    appendFileSync(join(process.cwd(), 'performed.txt'), from + ' ' + process.pid + '\\n');
  }
}
`,
      'app/controllers/pings_controller.ts': `import { ActionController, Controller, Get } from 'stryke';
import { PingJob } from '../jobs/ping_job';

@Controller('/pings')
export class PingsController extends ActionController {
  @Get('/')
  index() {
    return { pings: 0 };
  }

  @Get('/enqueue')
  async enqueue() {
    await PingJob.performLater('request');
    return { queued: true };
  }
}
`,
    });
    const built = stryke(['build', '--no-bundle'], { cwd: root });
    assert.equal(built.status, 0, built.stderr + built.stdout);
    const prepared = stryke(['db', 'prepare'], { cwd: root, env: production });
    assert.equal(prepared.status, 0, prepared.stderr + prepared.stdout);
    let census = '';
    const performed = () => (existsSync(join(root, 'performed.txt')) ? readFileSync(join(root, 'performed.txt'), 'utf8') : '');
    const workerHolds = (part: string) => {
      const file = readdirSync(census).find((f) => f.startsWith('worker-') && f.endsWith('.json'));
      return !!file && (JSON.parse(readFileSync(join(census, file), 'utf8')) as string[]).some((f) => f.includes(part));
    };
    const lazy = ['/node_modules/bullmq/', '/node_modules/ioredis/', '/node_modules/luxon/', '/node_modules/cron-parser/', '/node_modules/msgpackr/'];

    // One `stryke start` worker: after its first 200 (and past the deferred start of its job worker) it holds none of
    // BullMQ; `enqueue` then adds a job and it is performed by this worker.
    const serve = async (enqueue: (base: string) => Promise<void>, expect: string) => {
      census = mkdtempSync(join(tmpdir(), 'stryke-census-jobs-'));
      writeFileSync(join(census, 'census.js'), CENSUS);
      const server = await withServer(['start', '--workers', '1', '--host', '127.0.0.1'], {
        cwd: root, env: { ...production, CENSUS_DIR: census, NODE_OPTIONS: `--require ${join(census, 'census.js')}` },
      }, async (base, started) => {
        const res = await fetch(`${base}/pings`);
        assert.equal(res.status, 200, await res.text());
        // The deferred in-process workers start a second after listening at the latest; the census is written every 200 ms.
        await new Promise((r) => setTimeout(r, 2000));
        await until(() => workerHolds('/build/framework/jobs/workers.js'), COMMAND_TIMEOUT, 'a census of the worker with its jobs loaded');
        assert.deepEqual(lazy.filter(workerHolds), [], `held with no job to run\n${started.output()}`);
        await enqueue(base);
        await until(() => performed().includes(expect), COMMAND_TIMEOUT, `the ${expect} job performed\n${started.output()}`);
        await until(() => workerHolds('/node_modules/bullmq/'), COMMAND_TIMEOUT, 'BullMQ loaded for the job');
        assert.match(performed(), new RegExp(`^${expect} ${readdirSync(census).find((f) => f.startsWith('worker-'))!.slice(7, -5)}$`, 'm'), 'performed by the web worker');
        return started;
      });
      assert.equal(server.server.exitCode, 0, server.output());
    };

    // From another process: `stryke console` enqueues into the app's database (in dist/, where `stryke start` runs the build).
    await serve(async () => {
      const console = spawnSync(process.execPath, [BIN, 'console'], {
        cwd: join(root, 'dist'), env: { ...process.env, ...production, DATABASE_URL: '' }, encoding: 'utf8', timeout: COMMAND_TIMEOUT,
        input: "await require(require('node:path').join(process.cwd(), 'build/app/jobs/ping_job')).PingJob.performLater('console')\n",
      });
      assert.equal(console.status, 0, console.stderr + console.stdout);
    }, 'console');
    // In-process: a request enqueues (the queue's wake-up bus).
    await serve(async (base) => {
      const res = await fetch(`${base}/pings/enqueue`);
      assert.equal(res.status, 200, await res.text());
    }, 'request');
  });
});
