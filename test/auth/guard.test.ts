import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { currentUserOf, type App } from 'stryke';
import { SessionCodec } from '../../framework/security/session';
import { bootFixture } from '../support/boot-fixture';

const fixtureCalls = () => require(join(__dirname, '..', 'boot-fixtures', 'auth-ok', 'app', 'auth', 'authenticator.js')).calls as { count: number };

describe('auth: @RequireAuth, @AllowAnonymous and the app\'s @Authenticator', () => {
  let app: App;
  let cookie: string;
  before(async () => {
    app = await bootFixture('auth-ok');
    const res = await app.server.inject({ method: 'POST', url: '/login', payload: { uid: 7 } });
    assert.equal(res.statusCode, 200);
    cookie = String(res.headers['set-cookie']).split(';')[0]!;
  });
  after(() => app.close());

  const get = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' | 'DELETE' = 'GET') => app.server.inject({ method, url, headers });

  it('turns away a request without a user: HTML to the sign-in path, JSON with 401', async () => {
    const html = await get('/area', { accept: 'text/html' });
    assert.equal(html.statusCode, 303);
    assert.equal(html.headers.location, '/login');
    const json = await get('/area.json');
    assert.equal(json.statusCode, 401);
    assert.equal(json.json().code, 'STRYKE_E_AUTH_REQUIRED');
    assert.equal((await get('/area', {}, 'HEAD')).statusCode, 303);
    assert.equal((await get('/area/5', { accept: 'application/json' }, 'DELETE')).statusCode, 401);
    assert.equal((await get('/area/5.json', {}, 'DELETE')).statusCode, 401);
  });

  it('serves a signed-in user, with this.currentUser resolved once per request', async () => {
    const calls = fixtureCalls();
    const start = calls.count;
    const res = await get('/area', { cookie });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().user, { id: 7, name: 'user 7' });
    assert.equal(calls.count - start, 1);
    const twice = await get('/area/twice', { cookie });
    assert.equal(twice.json().same, true);
    assert.equal(calls.count - start, 2, 'one call for that request too');
    const forged = await get('/area/5.json', { cookie }, 'DELETE');
    assert.equal(forged.statusCode, 403, 'a cookie without a CSRF token: the CSRF check runs first');
    assert.equal(forged.json().code, 'STRYKE_E_SECURITY_CSRF_TOKEN_INVALID');
  });

  it('inherits @RequireAuth from a base class; an action\'s @AllowAnonymous overrides it, and the reverse', async () => {
    assert.deepEqual((await get('/area/open')).json(), { user: null });
    assert.deepEqual((await get('/area/open', { cookie })).json(), { user: { id: 7, name: 'user 7' } });
    assert.equal((await get('/mixed')).statusCode, 200);
    assert.equal((await get('/mixed/closed.json')).statusCode, 401);
    assert.equal((await get('/mixed/closed', { cookie })).statusCode, 200);
  });

  it('resolves nobody without a cookie (no call at all), and the user with one, on routes without a decorator', async () => {
    const calls = fixtureCalls();
    const start = calls.count;
    assert.deepEqual((await get('/public')).json(), { user: null });
    assert.equal(calls.count, start, 'no cookie, no lookup');
    assert.deepEqual((await get('/public', { cookie })).json(), { user: { id: 7, name: 'user 7' } });
  });

  it('ignores a forged cookie: the session does not decrypt, nobody is signed in', async () => {
    assert.equal((await get('/area.json', { cookie: '_stryke_session=forged' })).statusCode, 401);
    const tampered = cookie.slice(0, -3) + (cookie.endsWith('AAA') ? 'BBB' : 'AAA');
    assert.equal((await get('/area.json', { cookie: tampered })).statusCode, 401);
  });

  it('app.currentUserOf: the same resolver for any request (a WebSocket upgrade)', async () => {
    assert.deepEqual(await app.currentUserOf({ headers: { cookie } } as any), { id: 7, name: 'user 7' });
    assert.equal(await app.currentUserOf({ headers: {} } as any), null);
  });

  it('currentUserOf: the same resolver for any request (channels, middleware)', async () => {
    const sessions = new SessionCodec('k'.repeat(64));
    const source = {
      auth: { signInPath: '/login', resolve: async ({ session }: { session: { get(k: string): unknown } }) => session.get('uid') ?? null },
      sessions,
      sessionCookie: { name: '_s' },
    };
    const request = (c?: string) => ({ headers: c ? { cookie: c } : {} }) as any;
    assert.equal(await currentUserOf(source, request(`a=b; _s=${sessions.encode({ uid: 9 })}`)), 9);
    assert.equal(await currentUserOf(source, request('_s=forged')), null);
    assert.equal(await currentUserOf(source, request()), null);
    assert.equal(await currentUserOf({ ...source, auth: undefined }, request(`_s=${sessions.encode({ uid: 9 })}`)), null, 'no authenticator, no user');
  });

  it('fails boot when @RequireAuth is used without an @Authenticator, naming the route', async () => {
    await assert.rejects(bootFixture('auth-none'), (err: any) => {
      assert.equal(err.code, 'STRYKE_E_AUTH_NO_AUTHENTICATOR');
      assert.match(err.message, /SecretsController#index \(GET \/secrets\)/);
      assert.match(err.message, /stryke generate auth/);
      return true;
    });
  });
});
