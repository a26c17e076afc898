import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApp, type App } from 'stryke';
import { connectChannel } from 'stryke/testing';

/**
 * What the app's logger writes for requests at the production default level (`warn`), where fastify is given
 * no logger of its own (framework/http/request-logger.ts), and at `info`, where it is: each line through the
 * logger's `stream` option, as an app or a log collector sees it.
 */
async function boot(level: string, lines: Record<string, any>[], extra: object = {}, fixture = 'log-app'): Promise<App> {
  const source = join(__dirname, '..', '..', '..', 'test', 'boot-fixtures', fixture);
  const buildDir = join(__dirname, '..', 'boot-fixtures', fixture);
  const dir = mkdtempSync(join(tmpdir(), `stryke-${fixture}-`));
  return createApp({
    root: source, buildDir, env: 'test',
    database: { adapter: 'sqlite', database: join(dir, 'db.sqlite3') },
    logger: { level, stream: { write: (l: string) => void lines.push(JSON.parse(l)) }, ...extra },
  });
}

/** One GET over a real socket (the production path: the app's own response class, node's sockets). */
function get(app: App, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { port } = app.server.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject).end();
  });
}

describe('request logging at warn (the production default)', () => {
  const lines: Record<string, any>[] = [];
  let app: App;
  before(async () => {
    app = await boot('warn', lines, { redact: ['password'] });
    await app.server.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => app.close());

  it('writes nothing for requests that log nothing and succeed', async () => {
    lines.length = 0;
    for (const path of ['/lines/ok', '/lines/ok', '/no-such-page']) await get(app, path);
    assert.equal((await app.server.inject({ url: '/lines/ok' })).statusCode, 200);
    assert.deepEqual(lines, []);
  });

  it('logs a throwing action once, at error level, with its reqId and the error', async () => {
    lines.length = 0;
    const res = await get(app, '/lines/boom', { 'x-request-id': 'boom-1' });
    assert.equal(res.status, 500);
    const errors = lines.filter((l) => l.level >= 50);
    assert.equal(errors.length, 1, JSON.stringify(lines));
    assert.equal(errors[0]!.level, 50);
    assert.equal(errors[0]!.reqId, 'boom-1');
    assert.equal(errors[0]!.err.message, 'the boom detail');
    assert.match(errors[0]!.err.stack, /lines_controller/);
    assert.deepEqual([errors[0]!.method, errors[0]!.path, errors[0]!.action, errors[0]!.status], ['GET', '/lines/boom', 'LinesController#boom', 500], 'which request it was');
    assert.ok(lines.every((l) => l.level >= 40), 'no info line');
  });

  it('writes an action\'s request.log warning with its reqId, and not its info line', async () => {
    lines.length = 0;
    assert.equal((await get(app, '/lines/warn', { 'x-request-id': 'warn-1' })).body, 'warned');
    assert.equal((await app.server.inject({ url: '/lines/warn', headers: { 'x-request-id': 'warn-2' } })).body, 'warned');
    assert.deepEqual(lines.map((l) => [l.level, l.reqId, l.msg, l.item]), [[40, 'warn-1', 'careful now', 7], [40, 'warn-2', 'careful now', 7]]);
  });

  it('keeps the redaction settings, and the reqId of the app logger\'s lines', async () => {
    lines.length = 0;
    await get(app, '/lines/request-log', { 'x-request-id': 'redact-1' });
    await get(app, '/lines/app-log', { 'x-request-id': 'app-1' });
    assert.deepEqual(lines.map((l) => [l.level, l.reqId, l.msg]), [[50, 'redact-1', 'sign-in trouble'], [40, 'app-1', 'through the app logger']]);
    assert.equal(lines[0]!.password, '[Redacted]');
    assert.equal(lines[0]!.user, 'ann');
    lines.length = 0;
    app.server.log.warn('outside a request');
    assert.deepEqual(lines.map((l) => [l.level, l.reqId, l.msg]), [[40, undefined, 'outside a request']], 'the fastify instance\'s log is the app logger');
  });
});

describe('request logging at info', () => {
  const lines: Record<string, any>[] = [];
  let app: App;
  before(async () => {
    app = await boot('info', lines);
    await app.server.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => app.close());

  it('writes each request\'s line with its reqId, and an action\'s info lines', async () => {
    lines.length = 0;
    await get(app, '/lines/ok', { 'x-request-id': 'ok-1' });
    await get(app, '/lines/warn', { 'x-request-id': 'warn-1' });
    const boom = await get(app, '/lines/boom', { 'x-request-id': 'boom-1' });
    assert.equal(boom.status, 500);
    const requests = lines.filter((l) => l.msg === 'request');
    assert.deepEqual(requests.map((r) => [r.level, r.reqId, r.path, r.status]), [
      [30, 'ok-1', '/lines/ok', 200], [30, 'warn-1', '/lines/warn', 200], [50, 'boom-1', '/lines/boom', 500],
    ]);
    assert.ok(requests.every((r) => typeof r.ms === 'number' && r.action?.startsWith('LinesController#')));
    assert.ok(lines.some((l) => l.level === 30 && l.reqId === 'warn-1' && l.msg === 'an info line'));
    assert.ok(lines.some((l) => l.level === 50 && l.reqId === 'boom-1' && l.err?.message === 'the boom detail' && l.msg === 'request failed'));
  });
});

describe('a channel upgrade at warn (a route stryke\'s router did not register)', () => {
  it('logs a refused origin with the request id', async () => {
    const lines: Record<string, any>[] = [];
    const app = await boot('warn', lines, {}, 'channels');
    await app.listen(0, '127.0.0.1');
    try {
      const headers = { origin: 'https://evil.example.net', 'x-request-id': 'ws-1' };
      await assert.rejects(connectChannel(app, '/echo', { headers }), (err: any) => err.status === 403);
      assert.ok(lines.some((l) => l.level === 40 && l.reqId === 'ws-1' && l.origin === 'https://evil.example.net'), JSON.stringify(lines));
    } finally {
      await app.close();
    }
  });
});
