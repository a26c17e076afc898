import assert from 'node:assert/strict';
import { it } from 'node:test';
import { anyOf, gt, gte, lt, lte, ne, not, range } from 'stryke';
import { eachDatabase } from './harness';

/**
 * Request data is data: a nested hash or a list from a query string or a body never becomes a SQL
 * operator, and request parameters that did not go through `permit` never reach a model's attributes.
 */
void eachDatabase('security_injection', (ctx) => {
  const get = (url: string) => ctx.app.server.inject({ url, headers: { accept: 'application/json' } });
  const json = (method: string, url: string, payload: unknown) =>
    ctx.app.server.inject({ method: method as any, url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });

  it('finds by a scalar parameter, and refuses ?x[gt]=, ?x[ne]=, ?x[]= and JSON objects with 400 instead of matching', async () => {
    await ctx.user({ email: 'ann@example.com' });
    await ctx.user({ email: 'bob@example.com' });
    assert.deepEqual((await get('/lookups/user?email=bob@example.com')).json(), { found: 'bob@example.com' });
    assert.deepEqual((await get('/lookups/user?email=nobody@example.com')).json(), { found: null });
    for (const url of ['/lookups/user?email[gt]=', '/lookups/user?email[ne]=x', '/lookups/user?email[gte]=a', '/lookups/user?email[]=ann@example.com&email[]=bob@example.com']) {
      const res = await get(url);
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(res.json().found, undefined, url);
      assert.match(res.json().code, /^STRYKE_E_(ORM_UNSAFE_CONDITION|HTTP_PARAMETER_NOT_SCALAR)$/, url);
    }
      });

  it('refuses a plain object, an array or request parameters as a condition value, with a coded error', async () => {
    const { User, Post } = ctx;
    assert.throws(() => User.where({ email: { gt: '' } }), { code: 'STRYKE_E_ORM_UNSAFE_CONDITION' });
    assert.throws(() => User.where({ email: ['a', 'b'] }), { code: 'STRYKE_E_ORM_UNSAFE_CONDITION' });
    assert.throws(() => User.where({ email: { ne: 'x' } }), { code: 'STRYKE_E_ORM_UNSAFE_CONDITION' });
    assert.throws(() => User.where({ age: gt({ lt: 3 }) }), { code: 'STRYKE_E_ORM_UNSAFE_CONDITION' });
    assert.throws(() => User.where('email = ?', { gt: '' }), { code: 'STRYKE_E_ORM_UNSAFE_CONDITION' });
    assert.throws(() => Post.where({ author: [1] }), { code: 'STRYKE_E_ORM_UNSAFE_CONDITION' });
    await assert.rejects(async () => User.findBy({ email: { gt: '' } }), { code: 'STRYKE_E_ORM_UNSAFE_CONDITION' });
  });

  it('compares through the operators code passes: gt, gte, lt, lte, range, anyOf, not/ne', async () => {
    const { User } = ctx;
    for (const age of [20, 30, 40]) await ctx.user({ age, name: `A${age}` });
    await ctx.user({ age: null, name: 'Nil' });
    const names = async (conditions: Record<string, unknown>) => (await User.where(conditions).order('name')).map((u) => u.name);
    assert.deepEqual(await names({ age: gt(20) }), ['A30', 'A40']);
    assert.deepEqual(await names({ age: gte(30) }), ['A30', 'A40']);
    assert.deepEqual(await names({ age: lt(30) }), ['A20']);
    assert.deepEqual(await names({ age: lte(30) }), ['A20', 'A30']);
    assert.deepEqual(await names({ age: range(25, 40, { exclusive: true }) }), ['A30']);
    assert.deepEqual(await names({ age: anyOf([20, 40]) }), ['A20', 'A40']);
    assert.deepEqual(await names({ age: anyOf([20, null]) }), ['A20', 'Nil']);
    assert.deepEqual(await names({ age: not(30) }), ['A20', 'A40']);
    assert.deepEqual(await names({ age: ne(30) }), ['A20', 'A40']);
    assert.deepEqual(await names({ age: not(null) }), ['A20', 'A30', 'A40']);
    assert.deepEqual(await names({ age: not(anyOf([20, 30])) }), ['A40']);
    assert.deepEqual(await names({ age: not(range(25, 35)) }), ['A20', 'A40']);
    assert.throws(() => anyOf('20,40' as unknown as number[]), { code: 'STRYKE_E_ORM_BAD_OPERATOR', message: /anyOf\(\) takes an array of values \(got string\)/ });
  });

  it('refuses unpermitted request parameters as attributes (new, update, assign), and takes permitted ones', async () => {
    const raw = await json('POST', '/lookups/raw', { user: { email: 'x@example.com', name: 'Xavier', role: 'admin' } });
    assert.equal(raw.statusCode, 500);
    assert.equal(raw.json().code, 'STRYKE_E_ORM_FORBIDDEN_ATTRIBUTES');
    const ok = await json('POST', '/lookups/permitted', { user: { email: 'y@example.com', name: 'Yvonne', role: 'admin' } });
    assert.deepEqual(ok.json(), { email: 'y@example.com', role: 'member' });
    const user = await ctx.user();
    const updated = await json('PATCH', `/lookups/users/${user.id}`, { user: { role: 'admin' } });
    assert.equal(updated.json().code, 'STRYKE_E_ORM_FORBIDDEN_ATTRIBUTES');
    const assigned = await json('POST', `/lookups/assign/${user.id}`, { user: { role: 'admin' } });
    assert.equal(assigned.json().code, 'STRYKE_E_ORM_FORBIDDEN_ATTRIBUTES');
    assert.equal((await ctx.User.find(user.id)).role, 'member');
    // Plain objects stay allowed.
    assert.equal(new ctx.User({ role: 'admin' }).role, 'admin');
  });
});
