import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { freePort, stryke, strykeBackground, waitForHttp, writeApp } from '../support/cli';

describe('metrics under `stryke start`: the primary merges the workers\' registries', () => {
  it('one scrape of the primary counts the requests both workers answered', async () => {
    const metricsPort = await freePort();
    const root = writeApp({
      'config/server.toml': `log_level = "warn"\n\n[metrics]\nenabled = true\nport = ${metricsPort}\n`,
      'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
      'app/controllers/pids_controller.ts': `
import { ActionController, Controller, Get } from 'stryke';

@Controller('/pids')
export class PidsController extends ActionController {
  @Get('/:n')
  show() {
    return { pid: process.pid };
  }
}
`,
    });
    const built = stryke(['build', '--root', root]);
    assert.equal(built.status, 0, built.stderr + built.stdout);
    const port = await freePort();
    const server = strykeBackground(['start', '--root', root, '--port', String(port), '--workers', '2', '--host', '127.0.0.1']);
    let output = '';
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health`);
      const pids = new Set<number>();
      let sent = 0;
      // Until both workers have answered (and at least 20 requests), each on its own connection.
      while ((pids.size < 2 || sent < 20) && sent < 2000) {
        const res = await fetch(`http://127.0.0.1:${port}/pids/${sent}`, { headers: { connection: 'close' } });
        assert.equal(res.status, 200);
        pids.add(((await res.json()) as { pid: number }).pid);
        sent++;
      }
      assert.equal(pids.size, 2, 'both workers answered');
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(res.status, 200, output);
      const text = await res.text();
      const line = text.split('\n').find((l) => l.startsWith('stryke_http_responses_total{method="GET",route="/pids/:n",status="200"} '));
      assert.ok(line, text.slice(0, 2000));
      assert.equal(Number(line.split(' ').pop()), sent, 'the count is the sum over both workers');
      assert.match(text, /^nodejs_eventloop_lag_seconds /m);
      assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404, 'not on the app port');
    } finally {
      server.kill('SIGTERM');
      if (server.exitCode === null) await once(server, 'exit');
    }
  });
});
