import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';

/** GET over a real socket: the status and every header line as received (rawHeaders keeps duplicates). */
function get(address: string, path: string): Promise<{ status: number; lines: [string, string][] }> {
  return new Promise((resolve, reject) => {
    http.get(`${address}${path}`, (res) => {
      const lines: [string, string][] = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
      res.destroy();
      resolve({ status: res.statusCode!, lines });
    }).on('error', reject);
  });
}

const nosniff = (lines: [string, string][]) => lines.filter(([k]) => k === 'x-content-type-options').map(([, v]) => v);

// fastify.inject builds its own responses; these check what a real client receives, where the server's
// response class writes the base secure headers (framework/http/response.ts).
describe('secure headers on a real socket', () => {
  const apps: App[] = [];
  let pipeline: string;
  let routing: string;
  let assets: string;
  before(async () => {
    const boot = async (name: string) => {
      const app = await bootFixture(name);
      apps.push(app);
      return app.listen(0, '127.0.0.1');
    };
    pipeline = await boot('pipeline');
    routing = await boot('routing');
    assets = await boot('views-app');
  });
  after(async () => {
    for (const app of apps) await app.close();
  });

  it('sends nosniff exactly once on controller answers, error pages, event streams, static files and /health', async () => {
    for (const [address, path, status] of [
      [routing, '/articles/5', 200],
      [routing, '/notes/9.json', 200],
      [routing, '/no/such/page', 404],
      [routing, '/events', 200],
      [pipeline, '/health', 200],
      [assets, '/robots.txt', 200],
    ] as const) {
      const res = await get(address, path);
      assert.equal(res.status, status, path);
      assert.deepEqual(nosniff(res.lines), ['nosniff'], path);
    }
  });

  it('keeps a response\'s own X-Content-Type-Options instead of adding a second', async () => {
    const res = await get(pipeline, '/reports/own-nosniff');
    assert.equal(res.status, 200);
    assert.deepEqual(nosniff(res.lines), ['nosniff']);
  });
});
