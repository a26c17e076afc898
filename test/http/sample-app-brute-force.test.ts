import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApp, TestClient } from 'stryke/testing';
import { bootSampleApp, signedInClient, WRITER_PASSWORD } from '../support/sample-app';

/**
 * The generated authentication's default limits, as the sample app has them: guessing passwords, or asking for
 * reset links, from one address gets 429 after ten tries, whatever X-Forwarded-For claims (no trust_proxy).
 */
describe('sample app: sign-in and password reset are rate limited', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
    await app.reset();
  });
  after(() => app.close());

  async function withToken(path: string): Promise<TestClient> {
    const c = app.client();
    await c.get(path);
    return c;
  }

  it('answers the eleventh sign-in from one address with 429, Retry-After and the RateLimit headers', async () => {
    const writer = await signedInClient(app, 'target@example.com');
    await writer.delete('/session', { form: {} });
    const guesser = await withToken('/session/new');
    for (let i = 1; i <= 10; i++) {
      const res = await guesser.post('/session', { form: { session: { email: 'target@example.com', password: `guess ${i}` } }, headers: { 'x-forwarded-for': `203.0.113.${i}` } });
      assert.equal(res.status, 422, `guess ${i} is answered as a wrong password`);
    }
    const limited = await guesser.post('/session', { form: { session: { email: 'target@example.com', password: WRITER_PASSWORD } } });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After says when to come back');
    assert.equal(limited.headers['ratelimit-limit'], '10');
    assert.equal(limited.headers['ratelimit-remaining'], '0');
    assert.match(limited.body, /Too Many Requests|too many/i);
  });

  it('limits asking for password reset links the same way', async () => {
    const asker = await withToken('/passwords/new');
    for (let i = 1; i <= 10; i++) {
      const res = await asker.post('/passwords', { form: { password: { email: `someone${i}@example.com` } } });
      assert.notEqual(res.status, 429, `request ${i} is within the limit`);
    }
    const limited = await asker.post('/passwords', { form: { password: { email: 'one-more@example.com' } } });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
  });
});
