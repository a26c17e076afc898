import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMAND_TIMEOUT, REPO } from '../support/cli';
import { SAMPLE_APP } from '../support/sample-app';

/**
 * Runs in a fresh process (this one has loaded everything already): boots the sample app, reports which
 * heavy packages booting loaded, then validates a record and reports what that loaded and the errors.
 */
const script = `
const loaded = (name) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + name + '/'));
const { createTestApp } = require(${JSON.stringify(join(REPO, 'build', 'framework', 'testing'))});
(async () => {
  const app = await createTestApp({ root: ${JSON.stringify(SAMPLE_APP)}, database: { adapter: 'sqlite', database: process.argv[1] } });
  try {
    const atBoot = loaded('class-validator');
    const othersAtBoot = ['bullmq', 'qs', 'mime-types'].filter(loaded);
    const typeormIndexAtBoot = Object.keys(require.cache).some((k) => k.endsWith('/node_modules/typeorm/index.js'));
    const ajvAtBoot = loaded('ajv') || loaded('@fastify/ajv-compiler') || loaded('@fastify/fast-json-stringify-compiler');
    const page = await app.server.inject({ url: '/posts' });
    const { Post } = require(${JSON.stringify(join(SAMPLE_APP, 'build', 'app', 'models', 'post.js'))});
    const post = new Post({ title: 'ab', body: '' });
    const valid = await post.isValid();
    const good = await new Post({ title: 'A title', body: 'Some text' }).isValid();
    console.log(JSON.stringify({ atBoot, othersAtBoot, typeormIndexAtBoot, ajvAtBoot, pageStatus: page.statusCode, ajvAfterPage: loaded('ajv'), valid, good, errors: post.errors.fullMessages, afterValidation: loaded('class-validator') }));
  } finally {
    await app.close();
  }
})().catch((err) => { console.error(err); process.exit(1); });
`;

/**
 * Boots the sample app (development: one in-process job worker per queue) with `jobWorkers` as argv[2], listens
 * and answers one request: whether its job workers were running (listed in the queue's client table, read by
 * another connection) after boot, after listening and after the response, and whether BullMQ was loaded at the
 * end (on the database queue the workers load it when a job is due: the sample app's queues are empty).
 */
const workersScript = `
const loaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/bullmq/'));
const Database = require('better-sqlite3');
const { createApp } = require(${JSON.stringify(join(REPO, 'build', 'framework'))});
// A worker lists itself as it starts waiting for jobs: given 300 ms (the deferred start is 1 s after listening).
const running = async () => {
  await new Promise((r) => setTimeout(r, 300));
  const db = new Database(process.argv[1], { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) AS n FROM stryke_job_clients').get().n > 0;
  } finally {
    db.close();
  }
};
(async () => {
  const app = await createApp({ root: ${JSON.stringify(SAMPLE_APP)}, env: 'development', database: { adapter: 'sqlite', database: process.argv[1] }, logger: false, jobWorkers: process.argv[2] });
  try {
    const afterBoot = await running();
    const address = await app.listen(0, '127.0.0.1');
    const afterListen = await running();
    const res = await fetch(address + '/no-such-page');
    await res.text();
    await new Promise((r) => setImmediate(r));
    const afterResponse = await running();
    console.log(JSON.stringify({ afterBoot, afterListen, status: res.status, afterResponse, bullmq: loaded() }));
  } finally {
    await app.close();
  }
})().catch((err) => { console.error(err); process.exit(1); });
`;

function bootWithWorkers(mode: string): unknown {
  const db = join(mkdtempSync(join(tmpdir(), 'stryke-lazy-')), 'development.sqlite3');
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const res = spawnSync(process.execPath, ['-e', workersScript, db, mode], { encoding: 'utf8', env, timeout: COMMAND_TIMEOUT });
  assert.equal(res.status, 0, `${res.stdout}${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!);
}

describe('boot: heavy packages load when first needed', () => {
  it('class-validator and the schema compilers are not loaded by booting the sample app; the first validation loads class-validator and works', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'stryke-lazy-')), 'test.sqlite3');
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const res = spawnSync(process.execPath, ['-e', script, db], { encoding: 'utf8', env, timeout: COMMAND_TIMEOUT });
    assert.equal(res.status, 0, `${res.stdout}${res.stderr}`);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
    assert.equal(out.atBoot, false, 'booting did not load class-validator');
    assert.deepEqual(out.othersAtBoot, [], 'nor BullMQ (the jobs live in SQLite), qs or mime-types');
    assert.equal(out.typeormIndexAtBoot, false, 'nor all of TypeORM');
    assert.equal(out.ajvAtBoot, false, 'nor fastify\'s schema compilers (no route of the sample app has a schema)');
    assert.equal(out.pageStatus, 200);
    assert.equal(out.ajvAfterPage, false);
    assert.equal(out.valid, false);
    assert.equal(out.good, true);
    assert.deepEqual(out.errors, ['Title is too short (minimum is 3 characters)', "Body can't be blank"]);
    assert.equal(out.afterValidation, true);
  });

  it("jobWorkers 'after-first-response' (stryke server, start, dev) starts the job workers after the first response; with no job due they hold no BullMQ", () => {
    assert.deepEqual(bootWithWorkers('after-first-response'), { afterBoot: false, afterListen: false, status: 404, afterResponse: true, bullmq: false });
  });

  it("jobWorkers 'boot' (createApp's default) starts them during boot", () => {
    assert.deepEqual(bootWithWorkers('boot'), { afterBoot: true, afterListen: true, status: 404, afterResponse: true, bullmq: false });
  });

  it("jobWorkers 'none' (stryke console, db seed) never starts them", () => {
    assert.deepEqual(bootWithWorkers('none'), { afterBoot: false, afterListen: false, status: 404, afterResponse: false, bullmq: false });
  });
});
