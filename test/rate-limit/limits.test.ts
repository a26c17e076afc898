import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setRateLimitUserResolver, type App } from 'stryke';
import { formatRoutes } from '../../framework/cli/commands/routes';
import { Limiter } from '../../framework/rate-limit/limiter';
import { localStore } from '../../framework/rate-limit/store';
import { bootFixture } from '../support/boot-fixture';
import { bootRateLimitApp } from '../support/rate-limit-app';

const json = { 'content-type': 'application/json', accept: 'application/json' };

describe('@RateLimit on actions and controllers', () => {
  let app: App;
  const apps: App[] = [];
  const boot = async (toml = '') => {
    const a = await bootRateLimitApp(toml);
    apps.push(a);
    return a;
  };
  after(async () => {
    for (const a of apps) await a.close();
  });

  it('answers a brute-force loop with 429, Retry-After and the RateLimit headers, through the problem+json error page', async () => {
    app = await boot();
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 8; i++) {
      last = await app.server.inject({ method: 'POST', url: '/session', headers: json, payload: '{}' });
      statuses.push(last.statusCode);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    assert.match(String(last!.headers['content-type']), /^application\/problem\+json/);
    const problem = last!.json();
    assert.equal(problem.status, 429);
    assert.equal(problem.code, 'STRYKE_E_RATE_LIMIT_EXCEEDED');
    assert.match(problem.detail, /Too many requests: 5 per minute\. Try again in \d+ seconds?\./);
    const retry = Number(last!.headers['retry-after']);
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    assert.equal(last!.headers['ratelimit-limit'], '5');
    assert.equal(last!.headers['ratelimit-remaining'], '0');
    assert.equal(Number(last!.headers['ratelimit-reset']), retry);
    // The secure headers of every framework response are there too.
    assert.equal(last!.headers['x-content-type-options'], 'nosniff');
  });

  it('shows a browser the HTML error page', async () => {
    app = await boot();
    let res;
    for (let i = 0; i < 6; i++) res = await app.server.inject({ method: 'POST', url: '/session', headers: { 'content-type': 'application/json', accept: 'text/html' }, payload: '{}' });
    // A JSON body asks for a JSON answer; a browser's form post gets the page.
    const form = await app.server.inject({ method: 'POST', url: '/session', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: 'x=1' });
    assert.equal(res!.statusCode, 429);
    assert.equal(form.statusCode, 429);
    assert.match(String(form.headers['content-type']), /^text\/html/);
    assert.match(form.body, /<h1>429 Too Many Requests<\/h1>/);
    assert.ok(form.headers['retry-after']);
  });

  it('counts each client address on its own, and opens again when the window has passed', async () => {
    app = await boot();
    const quick = (ip: string) => app.server.inject({ method: 'POST', url: '/session/quick', headers: json, payload: '{}', remoteAddress: ip });
    assert.equal((await quick('10.0.0.1')).statusCode, 200);
    assert.equal((await quick('10.0.0.1')).statusCode, 429);
    assert.equal((await quick('10.0.0.2')).statusCode, 200, 'another address has its own counter');
    const retry = Number((await quick('10.0.0.1')).headers['retry-after']);
    assert.ok(retry >= 0 && retry <= 1);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await quick('10.0.0.1')).statusCode, 200, 'a new window');
  });

  it('counts HEAD, the .json suffix and the _method tunnel against the action they reach', async () => {
    app = await boot();
    const show = await Promise.all([
      app.server.inject({ method: 'GET', url: '/things/1' }),
      app.server.inject({ method: 'HEAD', url: '/things/1' }),
      app.server.inject({ method: 'GET', url: '/things/1.json' }),
    ]);
    assert.deepEqual(show.map((r) => r.statusCode).sort(), [200, 200, 429]);

    const destroy = [
      await app.server.inject({ method: 'DELETE', url: '/things/7' }),
      await app.server.inject({ method: 'POST', url: '/things/7', headers: json, payload: JSON.stringify({ _method: 'delete' }) }),
      await app.server.inject({ method: 'POST', url: '/things/7.json', headers: json, payload: JSON.stringify({ _method: 'delete' }) }),
      await app.server.inject({ method: 'DELETE', url: '/things/7' }),
    ];
    assert.deepEqual(destroy.map((r) => r.statusCode), [200, 200, 429, 429]);
    // update, reached the same way, has no limit of its own.
    for (let i = 0; i < 4; i++) {
      const res = await app.server.inject({ method: 'POST', url: '/things/7', headers: json, payload: JSON.stringify({ _method: 'patch' }) });
      assert.equal(res.statusCode, 200);
    }
    assert.equal((await app.server.inject({ url: '/things' })).statusCode, 200);
  });

  it('shows each action\'s limits in the route table (stryke routes)', async () => {
    app = await boot();
    const table = formatRoutes(app.routes).split('\n');
    assert.match(table.find((l) => l.includes('SessionsController#create'))!, /limit:5\/minute$/);
    assert.match(table.find((l) => l.includes('SessionsController#quick'))!, /limit:1\/second$/);
    assert.match(table.find((l) => l.includes('ApiController#a'))!, /limit:3\/minute by user$/);
    assert.doesNotMatch(table.find((l) => l.includes('ThingsController#update'))!, /limit:/);
  });

  it('shares a controller-level counter between its actions, keyed by the signed-in user when a resolver says who', async () => {
    app = await boot();
    setRateLimitUserResolver((req) => (req.headers['x-user'] as string | undefined) ?? null);
    try {
      const get = (url: string, user?: string, ip = '10.1.1.1') => app.server.inject({ url, headers: user ? { 'x-user': user } : {}, remoteAddress: ip });
      assert.equal((await get('/api/a', 'ada')).statusCode, 200);
      assert.equal((await get('/api/b', 'ada')).statusCode, 200);
      assert.equal((await get('/api/a', 'ada', '10.9.9.9')).statusCode, 200, 'the user counts, not the address');
      assert.equal((await get('/api/b', 'ada', '10.9.9.8')).statusCode, 429);
      assert.equal((await get('/api/a', 'bob')).statusCode, 200, 'another user, same address');
      // Nobody signed in: the address.
      for (let i = 0; i < 3; i++) assert.equal((await get('/api/a', undefined, '10.2.2.2')).statusCode, 200);
      assert.equal((await get('/api/b', undefined, '10.2.2.2')).statusCode, 429);
    } finally {
      setRateLimitUserResolver(undefined);
    }
  });
});

describe('by user, per app', () => {
  it("counts by the app's own authenticator while another app with another authenticator runs in the process", async () => {
    const app = await bootFixture('rate-limit-users');
    // auth-ok's authenticator reads a session `uid` these requests never carry: were the resolver process-wide,
    // the app booted last would answer for this one, nobody would be signed in, and both users would share the
    // address's counter.
    const other = await bootFixture('auth-ok');
    try {
      const get = (user: string) => app.server.inject({ url: '/quota', headers: { 'x-user': user, accept: 'application/json' }, remoteAddress: '10.3.3.3' });
      assert.equal((await get('ada')).statusCode, 200);
      assert.equal((await get('ada')).statusCode, 429, "ada's minute is used");
      assert.equal((await get('bob')).statusCode, 200, 'bob, from the same address, has a counter of his own');
    } finally {
      await other.close();
      await app.close();
    }
  });
});

describe('named counters', () => {
  it('refuses, at boot, declarations that share a name but not a rule', () => {
    const limiter = new Limiter(() => localStore(100), () => { throw new Error('no log expected'); }, false);
    const handler = async () => 'ok';
    limiter.wrap([{ scope: 'auth', max: 5, per: 60_000, by: 'ip' }], handler);
    limiter.wrap([{ scope: 'auth', max: 5, per: 60_000, by: 'ip' }], handler);
    assert.throws(() => limiter.wrap([{ scope: 'auth', max: 10, per: 60_000, by: 'ip' }], handler),
      (err: any) => err.code === 'STRYKE_E_RATE_LIMIT_BAD_DECLARATION' && /name "auth": the declarations sharing this counter differ \(5 per minute by ip, and 10 per minute by ip\)/.test(err.message));
  });
});

describe('the app-wide limit ([rate_limit] in config/server.toml)', () => {
  it('is off outside production unless configured, and limits every request but /health when on', async () => {
    const off = await bootRateLimitApp('');
    try {
      for (let i = 0; i < 5; i++) assert.equal((await off.server.inject({ url: '/things' })).statusCode, 200);
      assert.equal((await off.server.inject({ url: '/things' })).headers['ratelimit-limit'], undefined);
    } finally {
      await off.close();
    }
    const on = await bootRateLimitApp('[rate_limit]\nenabled = true\nmax = 3\nper = "1 minute"\n');
    try {
      const statuses = [];
      for (const url of ['/things', '/session/new', '/nowhere', '/things']) statuses.push((await on.server.inject({ url })).statusCode);
      assert.deepEqual(statuses, [200, 200, 404, 429]);
      assert.equal((await on.server.inject({ url: '/health' })).statusCode, 200);
      const other = await on.server.inject({ url: '/things', remoteAddress: '10.3.3.3' });
      assert.equal(other.statusCode, 200);
      // Its headers come with the 429 only (not on every page and asset).
      assert.equal(other.headers['ratelimit-limit'], undefined);
      const refused = await on.server.inject({ url: '/things' });
      assert.equal(refused.headers['ratelimit-limit'], '3');
      assert.ok(Number(refused.headers['retry-after']) > 0);
      // IPv6 clients count by their /64: a client holds a whole prefix.
      for (let i = 1; i <= 3; i++) assert.equal((await on.server.inject({ url: '/things', remoteAddress: `2001:db8:1:2::${i}` })).statusCode, 200);
      assert.equal((await on.server.inject({ url: '/things', remoteAddress: '2001:db8:1:2:ffff::9' })).statusCode, 429);
    } finally {
      await on.close();
    }
  });

  it('is on by default in production, with a generous limit', async () => {
    const saved = process.env.SECRET_KEY_BASE;
    process.env.SECRET_KEY_BASE = 'k'.repeat(64);
    const production = await bootRateLimitApp('', 'production');
    try {
      const statuses = new Set<number>();
      for (let i = 0; i < 1001; i++) statuses.add((await production.server.inject({ url: '/things' })).statusCode);
      assert.deepEqual([...statuses], [200, 429], '1000 a minute, then 429');
    } finally {
      await production.close();
      if (saved === undefined) delete process.env.SECRET_KEY_BASE;
      else process.env.SECRET_KEY_BASE = saved;
    }
    // Development: off unless enabled, whatever the limit says.
    const dev = await bootRateLimitApp('[rate_limit]\nmax = 2\n', 'development');
    try {
      for (let i = 0; i < 3; i++) assert.equal((await dev.server.inject({ url: '/things' })).statusCode, 200);
    } finally {
      await dev.close();
    }
  });

  it('refuses a mistaken [rate_limit] table at boot, naming the key', async () => {
    await assert.rejects(bootRateLimitApp('[rate_limit]\nper = "a while"\n'), (err: any) => err.code === 'STRYKE_E_RATE_LIMIT_BAD_CONFIG' && /per must be/.test(err.message));
    await assert.rejects(bootRateLimitApp('[rate_limit]\nmaxx = 5\n'), /unknown key "maxx"/);
    await assert.rejects(bootRateLimitApp('[rate_limit]\nstore = "cluster"\n'), /not one of its workers/);
  });
});

describe('client addresses and trust_proxy', () => {
  const spoof = (app: App, xff: string, remoteAddress = '127.0.0.1') =>
    app.server.inject({ method: 'POST', url: '/session/quick', headers: { ...json, 'x-forwarded-for': xff }, payload: '{}', remoteAddress });

  it('ignores X-Forwarded-For without trust_proxy: a client cannot pick a fresh address per request', async () => {
    const app = await bootRateLimitApp('');
    try {
      assert.equal((await spoof(app, '1.1.1.1')).statusCode, 200);
      assert.equal((await spoof(app, '2.2.2.2')).statusCode, 429, 'the spoofed header was believed');
      assert.equal((await spoof(app, '3.3.3.3')).statusCode, 429);
    } finally {
      await app.close();
    }
  });

  it('believes X-Forwarded-For from the listed proxies only', async () => {
    const app = await bootRateLimitApp('trust_proxy = ["10.0.0.0/8", "loopback"]\n');
    try {
      assert.equal((await spoof(app, '1.1.1.1', '10.0.0.5')).statusCode, 200);
      assert.equal((await spoof(app, '2.2.2.2', '10.0.0.5')).statusCode, 200, 'another client behind the proxy');
      assert.equal((await spoof(app, '1.1.1.1', '127.0.0.1')).statusCode, 429, 'the same client through another trusted proxy');
      // A sender that is not a listed proxy: its header is ignored, its own address counts.
      assert.equal((await spoof(app, '7.7.7.7', '203.0.113.9')).statusCode, 200);
      assert.equal((await spoof(app, '8.8.8.8', '203.0.113.9')).statusCode, 429);
    } finally {
      await app.close();
    }
  });

  it('takes a hop count: the address that many proxies back', async () => {
    const app = await bootRateLimitApp('trust_proxy = 1\n');
    try {
      // One proxy: the last address in the header is the client (anything before it the client wrote itself).
      assert.equal((await spoof(app, '6.6.6.6, 1.1.1.1', '10.0.0.5')).statusCode, 200);
      assert.equal((await spoof(app, '9.9.9.9, 1.1.1.1', '10.0.0.5')).statusCode, 429);
      assert.equal((await spoof(app, '1.1.1.1, 2.2.2.2', '10.0.0.5')).statusCode, 200);
    } finally {
      await app.close();
    }
  });

  it('refuses trust_proxy = true and addresses that are not', async () => {
    await assert.rejects(bootRateLimitApp('trust_proxy = true\n'), (err: any) => err.code === 'STRYKE_E_RATE_LIMIT_BAD_TRUST_PROXY' && /List the proxies/.test(err.message));
    await assert.rejects(bootRateLimitApp('trust_proxy = ["10.0.0.0/99"]\n'), /not an IP address or CIDR range/);
    await assert.rejects(bootRateLimitApp('trust_proxy = 0\n'), /at least 1/);
  });
});
