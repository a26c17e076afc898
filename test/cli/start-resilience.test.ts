import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { describe, it } from 'node:test';
import { freePort, SERVER_WAIT, stryke, strykeBackground, waitForHttp, writeApp } from '../support/cli';

const app = () =>
  writeApp({
    'config/server.toml': 'log_level = "warn"\n',
    'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
    'app/controllers/load_controller.ts': `
import { ActionController, Controller, Get } from 'stryke';

@Controller('/load')
export class LoadController extends ActionController {
  @Get('/')
  async index() {
    await new Promise((r) => setTimeout(r, Number(this.params.ms ?? 0)));
    return { done: true };
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

function workerPids(primary: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(primary)], { encoding: 'utf8' })
      .split('\n').map((s) => Number(s.trim())).filter(Boolean);
  } catch {
    return [];
  }
}

async function until(check: () => boolean, ms = SERVER_WAIT): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function start(workers: number) {
  const root = app();
  const built = stryke(['build', '--root', root]);
  assert.equal(built.status, 0, built.stderr + built.stdout);
  const port = await freePort();
  const server = strykeBackground(['start', '--root', root, '--port', String(port), '--workers', String(workers), '--host', '127.0.0.1']);
  let output = '';
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  try {
    await waitForHttp(`http://127.0.0.1:${port}/health`);
    await until(() => workerPids(server.pid!).length === workers);
  } catch (err) {
    server.kill('SIGKILL');
    throw err;
  }
  return { server, port, output: () => output };
}

const count = (text: string, re: RegExp) => (text.match(new RegExp(re, 'g')) ?? []).length;

describe('stryke start under load: reloads and crashes', () => {
  it('reloads three times under steady load without a single failed request', async () => {
    const { server, port, output } = await start(2);
    try {
      const failures: string[] = [];
      let served = 0;
      let running = true;
      const LIMIT = 20_000; // a bounded load: the loops stop at this many requests whatever happens
      const one = (agent: http.Agent | false, ms: number) =>
        new Promise<void>((resolve) => {
          http.get({ host: '127.0.0.1', port, path: `/load?ms=${ms}`, agent }, (res) => {
            res.resume().on('end', () => {
              if (res.statusCode === 200) served++;
              else failures.push(`status ${res.statusCode}`);
              resolve();
            });
          }).on('error', (err) => {
            failures.push(`${agent ? 'kept-alive' : 'new connection'} ${ms}ms: ${err.message}`);
            resolve();
          });
        });
      const more = () => running && served + failures.length < LIMIT;
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });
      const loops = [
        ...[0, 1, 2].map(async () => { while (more()) await one(false, 0); }),
        ...[0, 1, 2, 3].map(async () => { while (more()) await one(keepAlive, 0); }),
        (async () => { while (more()) await one(false, 200); })(),
        (async () => { while (more()) await one(keepAlive, 200); })(),
      ];
      for (let reload = 1; reload <= 3; reload++) {
        const before = workerPids(server.pid!);
        server.kill('SIGHUP');
        await until(() => count(output(), /reload done/) === reload, 60_000);
        const after = workerPids(server.pid!);
        assert.equal(after.length, 2, output());
        assert.ok(after.every((p) => !before.includes(p)), `every worker replaced: ${before} -> ${after}`);
      }
      running = false;
      await Promise.all(loops);
      keepAlive.destroy();
      assert.deepEqual(failures, [], output());
      assert.ok(served > 0);
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });

  it('reloads again for a SIGHUP that arrives during a reload, instead of dropping it', async () => {
    const { server, output } = await start(2);
    try {
      const before = workerPids(server.pid!);
      server.kill('SIGHUP');
      await until(() => /SIGHUP: replacing workers one by one/.test(output()));
      server.kill('SIGHUP');
      await until(() => count(output(), /reload done: 2 worker\(s\) replaced/) === 2, 60_000);
      assert.match(output(), /SIGHUP during a reload: reloading again when this one is done/);
      assert.equal(count(output(), /SIGHUP: replacing workers one by one/), 2);
      const after = workerPids(server.pid!);
      assert.equal(after.length, 2);
      assert.ok(after.every((p) => !before.includes(p)));
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
