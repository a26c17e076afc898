import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { describe, it } from 'node:test';
import { startServer, stryke, writeApp } from '../support/cli';

type Answer = { status: number; pid?: number; retryAfter?: string };

/** One request on the given agent's connection (one kept-alive socket per agent, so one worker each). */
function request(port: number, agent: http.Agent, method: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent, headers: { 'content-type': 'application/json', accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => {
        const pid = res.statusCode === 200 ? (JSON.parse(body) as { pid: number }).pid : undefined;
        resolve({ status: res.statusCode!, pid, retryAfter: res.headers['retry-after'] as string | undefined });
      });
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

/**
 * Two kept-alive connections held by different workers. The kernel hands new connections to
 * whichever worker accepts first (stryke start does not use round robin), so open connections until
 * the second lands on another worker than the first.
 */
async function connectionsOnBothWorkers(port: number, output: () => string): Promise<http.Agent[]> {
  const first = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const firstPid = (await request(port, first, 'GET', '/tries/pid')).pid;
  for (let tries = 0; tries < 600; tries++) {
    const second = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const pid = (await request(port, second, 'GET', '/tries/pid')).pid;
    if (pid !== firstPid) return [first, second];
    second.destroy();
    await new Promise((done) => setTimeout(done, 100));
  }
  first.destroy();
  throw new Error(`every connection in 60 s went to worker ${firstPid}; the server printed:\n${output()}`);
}

describe('rate limits under stryke start', () => {
  it('share one counter between the workers (kept by the primary)', async () => {
    const root = writeApp({
      'config/server.toml': 'log_level = "warn"\n',
      'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
      'app/controllers/tries_controller.ts': `
import { ActionController, Controller, Get, Post, RateLimit } from 'stryke';

@Controller('/tries')
export class TriesController extends ActionController {
  @Get('/pid')
  pid() {
    return { pid: process.pid };
  }

  @RateLimit({ max: 6, per: '1 minute' })
  @Post('/')
  create() {
    return { pid: process.pid };
  }
}
`,
    });
    const built = stryke(['build', '--root', root]);
    assert.equal(built.status, 0, built.stderr + built.stdout);
    const { server, port, output } = await startServer(['start', '--root', root, '--workers', '2', '--host', '127.0.0.1']);
    try {
      // Alternate between a connection on each worker: each worker sees 3 of the first 6 requests,
      // so the 7th is refused only if the counter is shared.
      const agents = await connectionsOnBothWorkers(port, output);
      const results: Answer[] = [];
      for (let i = 0; i < 12; i++) results.push(await request(port, agents[i % 2], 'POST', '/tries'));
      for (const agent of agents) agent.destroy();
      const seen = new Set(results.filter((r) => r.pid).map((r) => r.pid));
      const ok = results.filter((r) => r.status === 200).length;
      assert.equal(ok, 6, `${ok} of 12 allowed: ${JSON.stringify(results)}\n${output()}`);
      assert.deepEqual(results.slice(6).map((r) => r.status), [429, 429, 429, 429, 429, 429]);
      assert.ok(results.slice(6).every((r) => Number(r.retryAfter) > 0));
      assert.equal(seen.size, 2, `the allowed requests were served by both workers (${[...seen].join(', ')}), so neither counted alone`);
      server.kill('SIGTERM');
      const [code] = await once(server, 'exit');
      assert.equal(code, 0, output());
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });
});
