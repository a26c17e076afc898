import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { freePort, stryke, strykeBackground, waitForHttp, writeApp } from '../support/cli';

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

function workerPids(primary: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(primary)], { encoding: 'utf8' })
      .split('\n').map((s) => Number(s.trim())).filter(Boolean);
  } catch {
    return [];
  }
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('stryke start: a stray error does not take a worker down', () => {
  it('logs an unhandled rejection and a throw in a timer with the request id, and the same worker keeps serving', async () => {
    const root = app();
    const built = stryke(['build', '--root', root]);
    assert.equal(built.status, 0, built.stderr + built.stdout);
    const port = await freePort();
    const server = strykeBackground(['start', '--root', root, '--port', String(port), '--workers', '1', '--host', '127.0.0.1']);
    let output = '';
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health`);
      await until(() => workerPids(server.pid!).length === 1);
      const [worker] = workerPids(server.pid!);
      for (const path of ['/stray/reject', '/stray/timer', '/stray/reject', '/stray/timer']) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        assert.equal(res.status, 200, path);
        assert.equal(((await res.json()) as { pid: number }).pid, worker);
      }
      await until(() => (output.match(/stray timer/g) ?? []).length >= 2 && (output.match(/stray rejection/g) ?? []).length >= 2, 30_000)
        .catch((err) => assert.fail(`${(err as Error).message}; the server printed:\n${output}`));
      for (const message of ['stray rejection', 'stray timer']) {
        const line = output.split('\n').find((l) => l.includes(message))!;
        const entry = JSON.parse(line) as { level: number; reqId?: string; msg: string };
        assert.equal(entry.level, 50, 'logged as an error');
        assert.match(String(entry.reqId), /^req-/, `${message} is logged with the request id: ${line}`);
        assert.match(entry.msg, /keeps serving/);
      }
      // The same worker answers: it was neither killed nor replaced.
      const after = await fetch(`http://127.0.0.1:${port}/stray/reject`);
      assert.equal(((await after.json()) as { pid: number }).pid, worker);
      assert.deepEqual(workerPids(server.pid!), [worker]);
      assert.doesNotMatch(output, /died|starting a replacement/);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  });
});
