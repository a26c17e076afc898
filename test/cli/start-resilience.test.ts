import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import http from 'node:http';
import { describe, it } from 'node:test';
import { startWorkers, until, waitForHttp, workerPids, writeApp } from '../support/cli';
import { RequestTally } from '../support/load';

const app = () =>
  writeApp({
    'config/server.toml': 'log_level = "warn"\n',
    'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
    'app/controllers/load_controller.ts': `
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionController, Controller, Get } from 'stryke';

// "The code" a worker runs: read once when the worker loads the app, as a deploy's new build would be.
const VERSION_FILE = process.env.TEST_VERSION_FILE;
const VERSION = VERSION_FILE ? readFileSync(VERSION_FILE, 'utf8') : 'none';
if (VERSION_FILE) writeFileSync(join(VERSION_FILE + '.d', String(process.pid)), VERSION);

@Controller('/load')
export class LoadController extends ActionController {
  @Get('/')
  async index() {
    await new Promise((r) => setTimeout(r, Number(this.params.ms ?? 0)));
    return { done: true };
  }

  @Get('/domain')
  domain() {
    // Whether node's domain module is loaded in this worker (it makes every request and response pay a defineProperty).
    return { usingDomains: (require('node:events') as { usingDomains?: boolean }).usingDomains === true };
  }

  @Get('/crash')
  crash() {
    // A request a client can send that kills the worker.
    setImmediate(() => process.exit(70));
    return { bye: true };
  }
}
`,
  });

const start = (workers: number, env: Record<string, string> = {}) => startWorkers(app(), workers, { env });

const count = (text: string, re: RegExp) => (text.match(new RegExp(re, 'g')) ?? []).length;

describe('stryke start under load: reloads and crashes', () => {
  it('reloads ten times under back-to-back load on kept-alive and new connections without a single reset', async () => {
    const { server, port, output } = await start(2);
    let running = true;
    try {
      const tally = new RequestTally(port, (ms) => `/load?ms=${ms}`);
      const one = (agent: http.Agent | false, ms: number) => tally.one(agent, ms);
      // A safety bound only (the loops stop when the reloads are done, or the test fails): far more requests
      // than ten reloads take, so every reload runs under load.
      const LIMIT = 1_000_000;
      const more = () => running && tally.served + tally.failures.length < LIMIT;
      // Each loop sends its next request the moment the last answer ends: a kept-alive connection is idle for
      // well under a millisecond between requests, the moment a drain that closes "idle" connections would hit.
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 8 });
      // Requests of 0.6-1.4 s: started before a drain and answered near the end of its grace period, with the
      // client's next request on the same connection right behind.
      const slow = new http.Agent({ keepAlive: true, maxSockets: 8 });
      const loops = [
        ...Array.from({ length: 8 }, async () => { while (more()) await one(keepAlive, 0); }),
        ...Array.from({ length: 3 }, async () => { while (more()) await one(false, 0); }),
        ...Array.from({ length: 8 }, async (_, i) => { while (more()) await one(slow, 600 + ((i * 97 + tally.served) % 800)); }),
      ];
      const RELOADS = 10;
      for (let reload = 1; reload <= RELOADS; reload++) {
        const before = workerPids(server.pid!);
        const servedBefore = tally.served;
        server.kill('SIGHUP');
        await until(() => count(output(), /reload done/) === reload, 120_000);
        const after = workerPids(server.pid!);
        assert.equal(after.length, 2, output());
        assert.ok(after.every((p) => !before.includes(p)), `every worker replaced: ${before} -> ${after}`);
        assert.ok(tally.served > servedBefore, 'requests were answered during the reload');
      }
      running = false;
      await Promise.all(loops);
      keepAlive.destroy();
      slow.destroy();
      assert.deepEqual(tally.failures, [], `${tally.failures.length} of ${tally.served + tally.failures.length} requests failed over ${RELOADS} reloads\n${output()}`);
    } finally {
      running = false;
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });

  it('leaves every worker on the newest code when a second SIGHUP arrives during a reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stryke-version-'));
    const file = join(dir, 'version');
    mkdirSync(`${file}.d`);
    writeFileSync(file, 'v1');
    const { server, port, output } = await start(2, { TEST_VERSION_FILE: file });
    const versionOf = (pid: number) => (existsSync(join(`${file}.d`, String(pid))) ? readFileSync(join(`${file}.d`, String(pid)), 'utf8') : undefined);
    try {
      // The first worker to listen answers /health; the second may still be booting (it writes its version as it loads).
      await until(() => workerPids(server.pid!).length === 2 && workerPids(server.pid!).every((p) => versionOf(p) !== undefined), 120_000);
      assert.deepEqual(workerPids(server.pid!).map(versionOf), ['v1', 'v1']);
      // A deploy: the new code in place, SIGHUP; then another deploy lands while the first reload is still going.
      writeFileSync(file, 'v2');
      server.kill('SIGHUP');
      await until(() => workerPids(server.pid!).some((p) => versionOf(p) === 'v2'), 120_000);
      writeFileSync(file, 'v3');
      server.kill('SIGHUP');
      await until(() => count(output(), /reload done/) >= 1, 120_000);
      // The reload the second signal asked for, when the primary took it (it says so when the signal comes).
      const queued = /SIGHUP during a reload/.test(output());
      if (queued) await until(() => count(output(), /reload done: 2 worker\(s\) replaced/) === 2, 120_000);
      const pids = workerPids(server.pid!);
      assert.equal(pids.length, 2);
      assert.deepEqual(pids.map(versionOf), ['v3', 'v3'], `every worker runs the newest code\n${output()}`);
      assert.ok(queued, 'the second signal came during the first reload');
      const res = await fetch(`http://127.0.0.1:${port}/load?ms=0`);
      assert.equal(res.status, 200);
      // The worker's CLI loads no command's heavy modules it does not run (node:repl would bring domain in).
      assert.deepEqual(await (await fetch(`http://127.0.0.1:${port}/load/domain`)).json(), { usingDomains: false });
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });

  it('keeps replacing a worker that a request crashes, backing off, instead of stopping', async () => {
    const { server, port, output } = await start(1);
    try {
      // Eight crashes in a row: more than the old limit (workers x 5 in 10 s) that stopped the server for good.
      for (let i = 1; i <= 8; i++) {
        await fetch(`http://127.0.0.1:${port}/load/crash`).catch(() => {});
        await until(() => count(output(), /died \(exit 70\)/) === i, 60_000);
        assert.equal(server.exitCode, null, output());
        await waitForHttp(`http://127.0.0.1:${port}/health`);
      }
      assert.match(output(), /crashes in 60s, starting a replacement in \d+\.\ds/);
      const res = await fetch(`http://127.0.0.1:${port}/load?ms=0`);
      assert.equal(res.status, 200);
      assert.equal(server.exitCode, null);
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });
});
