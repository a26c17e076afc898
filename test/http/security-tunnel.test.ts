import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';

/** Every way to reach an action (its verb, a POST form's `_method`, `.json`, HEAD) runs that action's own chain. */
describe('every entry path runs the action\'s own middleware and options', () => {
  let app: App;
  before(async () => {
    app = await bootFixture('pipeline');
  });
  after(() => app.close());
  const send = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    payload === undefined
      ? app.server.inject({ method: method as any, url, headers })
      : app.server.inject({ method: method as any, url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) });

  it('refuses DELETE without the @Use middleware\'s consent, and lets it through with it', async () => {
    assert.equal((await send('DELETE', '/things/1')).statusCode, 403);
    const ok = await send('DELETE', '/things/1', undefined, { 'x-admin': '1' });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().action, 'destroy');
  });

  it('refuses POST with _method=delete the same way (the middleware of the route it reaches, not its neighbour\'s)', async () => {
    const refused = await send('POST', '/things/1', { _method: 'delete' });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.deepEqual(refused.json(), { error: 'admins only' });
    const ok = await send('POST', '/things/1', { _method: 'delete' }, { 'x-admin': '1' });
    assert.equal(ok.json().action, 'destroy');
  });

  it('refuses a form with _method=delete the same way, and checks its CSRF token', async () => {
    const form = (headers: Record<string, string>) =>
      app.server.inject({ method: 'POST', url: '/things/1', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: '_method=delete' });
    assert.equal((await form({})).statusCode, 403);
    const noToken = await form({ 'x-admin': '1' });
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.body, /CSRF/);
  });

  it('converts the typed parameters of the route the tunnel reaches (400 when they do not parse)', async () => {
    const ok = await send('POST', '/things/7', { _method: 'delete' }, { 'x-admin': '1' });
    assert.deepEqual(ok.json(), { action: 'destroy', id: 7, type: 'number' });
    assert.equal((await send('POST', '/things/abc', { _method: 'delete' }, { 'x-admin': '1' })).statusCode, 400);
    assert.equal((await send('DELETE', '/things/abc', undefined, { 'x-admin': '1' })).statusCode, 400);
  });

  it('applies the body limit of the route the tunnel reaches', async () => {
    const big = { _method: 'delete', pad: 'x'.repeat(200) };
    const deleted = await send('POST', '/things/1', big, { 'x-admin': '1' });
    assert.equal(deleted.statusCode, 200, 'DELETE has the default limit, not PATCH\'s 64 bytes');
    const patched = await send('POST', '/things/1', { ...big, _method: 'patch' });
    assert.equal(patched.statusCode, 413, patched.body);
    assert.equal((await send('PATCH', '/things/1', { pad: 'x'.repeat(200) })).statusCode, 413);
    const small = await send('POST', '/things/1', { _method: 'patch' });
    assert.equal(small.json().action, 'update');
  });

  it('does not tunnel to a stream route (its body is never parsed)', async () => {
    const res = await send('POST', '/things/upload/1', { _method: 'put' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'STRYKE_E_HTTP_OVERRIDE_STREAM');
    assert.equal((await send('POST', '/things/upload/1', { _method: 'patch' })).json().action, 'touch');
  });

  it('runs the middleware for the .json suffix and for HEAD', async () => {
    assert.equal((await send('GET', '/things/1.json')).statusCode, 403);
    assert.equal((await send('HEAD', '/things/1')).statusCode, 403);
    assert.equal((await send('HEAD', '/things/1.json')).statusCode, 403);
    assert.equal((await send('DELETE', '/things/1.json')).statusCode, 403);
    assert.equal((await send('POST', '/things/1.json', { _method: 'delete' })).statusCode, 403);
    const ok = await send('GET', '/things/1.json', undefined, { 'x-admin': '1' });
    assert.deepEqual(ok.json(), { action: 'show', id: '1' });
    assert.equal((await send('HEAD', '/things/1', undefined, { 'x-admin': '1' })).statusCode, 200);
  });
});
