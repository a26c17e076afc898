import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Params } from 'stryke';

// Params keep their own state under symbols (not `#private` fields, slow on Node 20): a request's keys are
// the instance's properties, and none of them can reach or shadow that state.
describe('Params', () => {
  it('reads scalars as properties, nested hashes as Params, and refuses lists until permitted', () => {
    const params = new Params({ id: '7', post: { title: 'Hi' }, ids: ['1', '2'], n: 3, on: true, none: null });
    assert.equal(params.id, '7');
    assert.equal(params.n, 3);
    assert.equal(params.on, true);
    assert.equal(params.none, null);
    assert.ok(params.post instanceof Params);
    assert.equal(params.require('post').get('title'), 'Hi');
    assert.throws(() => params.ids, { code: 'STRYKE_E_HTTP_PARAMETER_NOT_SCALAR' });
    assert.deepEqual(params.permit({ ids: [] }), { ids: ['1', '2'] });
  });

  it('has no own keys but the request\'s: its state is out of reach of enumeration and JSON', () => {
    const params = new Params({ id: '7', q: 'x' });
    assert.deepEqual(Object.keys(params), ['id', 'q']);
    assert.deepEqual(JSON.parse(JSON.stringify(params)), { id: '7', q: 'x' });
    assert.deepEqual(Object.getOwnPropertyNames(params), ['id', 'q']);
  });

  it('lets no request key shadow its state or its methods', () => {
    const data = { data: 'x', policy: 'ignore', flatBody: { role: 'admin' }, permit: 'x', require: 'x', title: 'T', role: 'admin' };
    const params = new Params(data, undefined, { unpermitted: 'raise' });
    // The policy given stays in force: an unpermitted key is refused, whatever a key named `policy` says.
    assert.throws(() => params.permit('title'), { code: 'STRYKE_E_HTTP_UNPERMITTED_PARAMETERS' });
    assert.equal(typeof params.permit, 'function');
    assert.equal(typeof params.require, 'function');
    assert.equal(params.data, 'x');
    // `flatBody` in the request is a nested hash, never the fallback `require` uses for a flat JSON body.
    assert.throws(() => params.require('user'), { code: 'STRYKE_E_HTTP_PARAMETER_MISSING' });
    assert.deepEqual(new Params(data).permit('title'), { title: 'T' });
  });

  it('falls back to a flat JSON body for require, as before', () => {
    const params = new Params({ id: '1', title: 'T' }, { title: 'T' });
    assert.deepEqual(params.require('post').permit('title'), { title: 'T' });
  });
});
