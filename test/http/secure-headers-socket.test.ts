import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { stampingResponse } from '../../framework/http/response';
import { bootFixture } from '../support/boot-fixture';

/** A request over a real socket: the status and every header line as received (rawHeaders keeps duplicates). */
function get(address: string, path: string, method = 'GET'): Promise<{ status: number; lines: [string, string][] }> {
  return new Promise((resolve, reject) => {
    http.request(`${address}${path}`, { method }, (res) => {
      const lines: [string, string][] = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
      res.destroy();
      resolve({ status: res.statusCode!, lines });
    }).on('error', reject).end();
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
    for (const [address, path, status, method] of [
      [routing, '/articles/5', 200, 'GET'],
      [routing, '/articles/5', 200, 'HEAD'],
      [routing, '/notes/9.json', 200, 'GET'],
      [routing, '/no/such/page', 404, 'GET'],
      [routing, '/no/such/page', 404, 'HEAD'],
      [routing, '/events', 200, 'GET'],
      [pipeline, '/health', 200, 'GET'],
      [assets, '/robots.txt', 200, 'GET'],
      [assets, '/robots.txt', 200, 'HEAD'],
    ] as const) {
      const res = await get(address, path, method);
      assert.equal(res.status, status, `${method} ${path}`);
      assert.deepEqual(nosniff(res.lines), ['nosniff'], `${method} ${path}`);
    }
  });

  it('keeps a response\'s own X-Content-Type-Options instead of adding a second', async () => {
    const res = await get(pipeline, '/reports/own-nosniff');
    assert.equal(res.status, 200);
    assert.deepEqual(nosniff(res.lines), ['nosniff']);
  });
});

// The response class itself, under node's http server: each way a response's head gets written.
describe('the response class stamps every head, whichever way it is written', () => {
  const heads: Record<string, (res: http.ServerResponse) => void> = {
    '/object': (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('x'),
    '/object-reason': (res) => res.writeHead(201, 'Made', { 'content-type': 'text/plain' }).end('x'),
    '/implicit': (res) => res.end('x'),
    '/set': (res) => { res.setHeader('content-type', 'text/plain'); res.end('x'); },
    '/set-and-object': (res) => { res.setHeader('x-one', '1'); res.writeHead(200, { 'content-type': 'text/plain' }).end('x'); },
    '/list': (res) => res.writeHead(200, ['content-type', 'text/plain']).end('x'),
    '/frozen': (res) => res.writeHead(200, Object.freeze({ 'content-type': 'text/plain' })).end('x'),
    '/stream': (res) => { res.write('x'); res.end(); },
  };
  const own: Record<string, (res: http.ServerResponse) => void> = {
    '/own-object': (res) => res.writeHead(200, { 'x-content-type-options': 'own' }).end('x'),
    '/own-set': (res) => { res.setHeader('X-Content-Type-Options', 'own'); res.end('x'); },
    '/own-list': (res) => res.writeHead(200, ['X-Content-Type-Options', 'own']).end('x'),
  };
  {
    it('through writeHead, its own value kept where a response sets one', async () => {
      const ServerResponse = stampingResponse([['x-content-type-options', 'nosniff']])!;
      const server = http.createServer({ ServerResponse }, (req, res) => ({ ...heads, ...own })[req.url!]!(res));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        for (const method of ['GET', 'HEAD']) {
          for (const path of Object.keys(heads)) assert.deepEqual(nosniff((await get(address, path, method)).lines), ['nosniff'], `${method} ${path}`);
          for (const path of Object.keys(own)) assert.deepEqual(nosniff((await get(address, path, method)).lines), ['own'], `${method} ${path}`);
        }
        const object = await get(address, '/object-reason');
        assert.equal(object.status, 201);
        assert.deepEqual(object.lines.find(([k]) => k === 'content-type'), ['content-type', 'text/plain']);
      } finally {
        server.close();
      }
    });
  }
});
