import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SERVER_WAIT, startServer, startWorkers, stryke, strykeBackground, until, waitForHttp, workerPids, writeApp } from '../support/cli';
import { RequestTally } from '../support/load';

const app = () =>
  writeApp({
    'config/server.toml': 'log_level = "warn"\n',
    'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
    'app/controllers/slow_controller.ts': `
import { ActionController, Controller, Get } from 'stryke';

@Controller('/slow')
export class SlowController extends ActionController {
  @Get('/')
  async index() {
    await new Promise((r) => setTimeout(r, Number(this.params.ms ?? 0)));
    return { done: true, pid: process.pid };
  }
}
`,
  });

const startTwoWorkers = () => startWorkers(app(), 2);

describe('stryke start: workers under a supervising primary', () => {
  it('serves from one worker per requested process, replaces a crashed worker, and drains on SIGTERM', async () => {
    const { server, port, output } = await startTwoWorkers();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/slow?ms=0`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { done: boolean }).done, true);

      const [victim] = workerPids(server.pid!);
      process.kill(victim!, 'SIGKILL');
      await until(() => {
        const pids = workerPids(server.pid!);
        return pids.length === 2 && !pids.includes(victim!);
      });
      await until(() => /died \(SIGKILL\); starting a replacement/.test(output()));
      await waitForHttp(`http://127.0.0.1:${port}/health`);

      // A request in flight when SIGTERM arrives still completes; then the primary exits cleanly.
      const inflight = fetch(`http://127.0.0.1:${port}/slow?ms=1500`).then(async (r) => ({ status: r.status, body: (await r.json()) as { done: boolean } }));
      await new Promise((r) => setTimeout(r, 400));
      server.kill('SIGTERM');
      const done = await inflight;
      assert.equal(done.status, 200);
      assert.equal(done.body.done, true);
      const [code] = await once(server, 'exit');
      assert.equal(code, 0, output());
      await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), 'nothing listens after shutdown');
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });

  it('replaces every worker on SIGHUP, one by one, without failing a request', async () => {
    const { server, port, output } = await startTwoWorkers();
    try {
      const before = workerPids(server.pid!);
      // Load through the whole reload: new connections (agent: false) and kept-alive ones, plus slow requests.
      const tally = new RequestTally(port, (ms) => `/slow?ms=${ms}`);
      const one = (agent: http.Agent | false, ms: number) => tally.one(agent, ms);
      let running = true;
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 3 });
      const loops = [
        ...[0, 1].map(async () => { while (running) await one(false, 0); }),
        ...[0, 1, 2].map(async () => { while (running) await one(keepAlive, 0); }),
        (async () => { while (running) await one(false, 300); })(),
      ];
      await new Promise((r) => setTimeout(r, 300));
      server.kill('SIGHUP');
      await until(() => {
        const pids = workerPids(server.pid!);
        return pids.length === 2 && pids.every((p) => !before.includes(p));
      }, 60_000);
      await new Promise((r) => setTimeout(r, 300));
      running = false;
      await Promise.all(loops);
      keepAlive.destroy();
      assert.deepEqual(tally.failures, [], output());
      assert.ok(tally.served > 50, `served ${tally.served}`);
      assert.match(output(), /SIGHUP: replacing workers one by one/);
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });

  it('runs from dist/ in production after stryke build, with precompiled views and fingerprinted assets', async () => {
    const root = writeApp({
      'config/server.toml': 'log_level = "warn"\n',
      'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
      'app/controllers/home_controller.ts': `
import { ActionController, Controller, Get } from 'stryke';

@Controller('/')
export class HomeController extends ActionController {
  @Get('/')
  index() {
    return this.render('home/index', {});
  }
}
`,
      'app/views/layouts/application.hbs': '<html><head>{{stylesheetTag "site.css"}}</head><body>{{yield}}</body></html>\n',
      'app/views/home/index.hbs': '<h1>From the build</h1>\n',
      'public/site.css': 'h1 { color: teal; }\n',
    });
    assert.equal(stryke(['build', '--root', root]).status, 0);
    // The views' sources change after the build: production must not see them.
    writeFileSync(join(root, 'app/views/home/index.hbs'), '<h1>From the sources</h1>\n');
    const { server, port, output } = await startServer(['start', '--root', root, '--workers', '1', '--host', '127.0.0.1', '--env', 'production'], {
      env: { SECRET_KEY_BASE: 'y'.repeat(64) },
    });
    try {
      assert.match(output(), /\(production, from .*dist\/\)/);
      const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      assert.match(page, /From the build/);
      assert.match(page, /<link rel="stylesheet" href="\/site-[0-9a-f]{16}\.css">/);
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });

  // A port taken by another process is taken for every replacement worker too: without this the primary replaced
  // workers forever (later each time) while nothing listened, and a client waited for nothing.
  it('stops in one line when the port is taken, under the primary and in one process', async () => {
    const root = app();
    const built = stryke(['build', '--root', root]);
    assert.equal(built.status, 0, built.stderr + built.stdout);
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = String((taken.address() as AddressInfo).port);
    try {
      const server = strykeBackground(['start', '--root', root, '--port', port, '--workers', '2', '--host', '127.0.0.1']);
      let output = '';
      server.stdout!.on('data', (d) => (output += d));
      server.stderr!.on('data', (d) => (output += d));
      const exited = once(server, 'exit');
      const bound = setTimeout(() => server.kill('SIGKILL'), SERVER_WAIT);
      const [code] = await exited;
      clearTimeout(bound);
      assert.equal(code, 1, output);
      assert.match(output, new RegExp(`stryke: Port ${port} on 127\\.0\\.0\\.1 is taken by another process.*\\(STRYKE_E_PORT_IN_USE\\)`), output);
      assert.doesNotMatch(output, /starting a replacement/);

      const single = stryke(['server', '--root', root, '--no-build', '--port', port, '--host', '127.0.0.1']);
      assert.equal(single.status, 1, single.stderr + single.stdout);
      assert.match(single.stderr, /STRYKE_E_PORT_IN_USE/);
    } finally {
      taken.close();
    }
  });

  it('refuses a bad port in one line', () => {
    const res = stryke(['start', '--root', app(), '--port', 'eighty']);
    assert.equal(res.status, 1);
    assert.match(res.stderr, /--port must be a number/);
  });
});
