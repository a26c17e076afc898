import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { bootFixture } from '../support/boot-fixture';

describe('the request pipeline', () => {
  let app: App;
  before(async () => {
    app = await bootFixture('di-ok');
  });
  after(() => app.close());

  it('runs before filters, the action, then after filters, honouring only/except', async () => {
    const res = await app.server.inject({ url: '/greetings/ada' });
    assert.deepEqual(res.json().order, ['before', 'action', 'after']);
    const plain = await app.server.inject({ url: '/greetings/plain/text' });
    assert.equal(plain.body, 'just text');
  });

  it('halts when a before filter responds', async () => {
    const res = await app.server.inject({ url: '/greetings/halted/now' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.body, '');
  });

  it('merges path, query and body parameters, nested Rails-style, without prototype pollution', async () => {
    const tokenRes = await app.server.inject({ url: '/greetings/token/new' });
    const cookie = String(tokenRes.headers['set-cookie']).split(';')[0]!;
    const token = encodeURIComponent(tokenRes.json().token);
    const res = await app.server.inject({
      method: 'POST', url: '/greetings/echo?page=2&item[extra]=q',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      payload: `authenticity_token=${token}&item[meta][color]=red&item[meta][size]=2&item[name]=widget&item[tags][]=a&item[tags][]=b&item[admin]=true&__proto__[polluted]=yes&constructor[prototype][polluted]=yes`,
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.params.page, '2');
    assert.deepEqual(body.permitted, { name: 'widget', tags: ['a', 'b'], meta: { color: 'red', size: '2' } });
    assert.equal(({} as any).polluted, undefined);
    assert.equal(Object.hasOwn(body.params, 'constructor'), false);
    assert.equal(Object.hasOwn(body.params, '__proto__'), false);
  });

  it('refuses a JSON body that carries __proto__ with 400', async () => {
    const res = await app.server.inject({
      method: 'POST', url: '/greetings/echo', headers: { 'content-type': 'application/json' },
      payload: '{"item": {"name": "x"}, "__proto__": {"polluted": true}}',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(({} as any).polluted, undefined);
  });

  it('lists the route table with names', () => {
    const names = app.routes.map((r) => `${r.method} ${r.path} ${r.name}`);
    assert.ok(names.includes('GET /greetings/:name greetings_show'));
    assert.ok(names.includes('GET /greetings/plain/text plain'));
    assert.equal(app.paths.plainPath(), '/greetings/plain/text');
    assert.equal(app.paths.greetingsShowPath('a b'), '/greetings/a%20b');
  });
});
