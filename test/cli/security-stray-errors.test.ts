import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startWorkers, until, workerPids, writeApp } from '../support/cli';

const app = () =>
  writeApp({
    'config/server.toml': 'log_level = "warn"\n',
    'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
    'app/controllers/stray_controller.ts': `
import { ActionController, Controller, Get } from 'stryke';

@Controller('/stray')
export class StrayController extends ActionController {
  @Get('/reject')
  reject() {
    void Promise.reject(new Error('stray rejection'));
    return { ok: true, pid: process.pid };
  }

  @Get('/timer')
  timer() {
    setTimeout(() => {
      throw new Error('stray timer');
    }, 5);
    return { ok: true, pid: process.pid };
  }
}
`,
  });

describe('stryke start: a stray error does not take a worker down', () => {
  it('logs an unhandled rejection and a throw in a timer with the request id, and the same worker keeps serving', async () => {
    const { server, port, output: printed } = await startWorkers(app(), 1);
    try {
      const [worker] = workerPids(server.pid!);
      for (const path of ['/stray/reject', '/stray/timer', '/stray/reject', '/stray/timer']) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        assert.equal(res.status, 200, path);
        assert.equal(((await res.json()) as { pid: number }).pid, worker);
      }
      await until(() => (printed().match(/stray timer/g) ?? []).length >= 2 && (printed().match(/stray rejection/g) ?? []).length >= 2, 30_000)
        .catch((err) => assert.fail(`${(err as Error).message}; the server printed:\n${printed()}`));
      for (const message of ['stray rejection', 'stray timer']) {
        const line = printed().split('\n').find((l) => l.includes(message))!;
        const entry = JSON.parse(line) as { level: number; reqId?: string; msg: string };
        assert.equal(entry.level, 50, 'logged as an error');
        assert.match(String(entry.reqId), /^req-/, `${message} is logged with the request id: ${line}`);
        assert.match(entry.msg, /keeps serving/);
      }
      // The same worker answers: it was neither killed nor replaced.
      const after = await fetch(`http://127.0.0.1:${port}/stray/reject`);
      assert.equal(((await after.json()) as { pid: number }).pid, worker);
      assert.deepEqual(workerPids(server.pid!), [worker]);
      assert.doesNotMatch(printed(), /died|starting a replacement/);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  });
});
