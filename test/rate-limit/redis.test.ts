import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { bootRateLimitApp } from '../support/rate-limit-app';

describe('rate limits in Redis (several machines)', () => {
  it('share one counter between two app instances, and expire with the window', async () => {
    const prefix = `stryke-test:${randomBytes(6).toString('hex')}:`;
    const toml = `[rate_limit]\nstore = "redis"\nurl = "redis://127.0.0.1:6379"\nprefix = "${prefix}"\n`;
    const one = await bootRateLimitApp(toml);
    const two = await bootRateLimitApp(toml);
    try {
      const post = (app: typeof one, url = '/session') => app.server.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: '{}' });
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await post(one)).statusCode);
        statuses.push((await post(two)).statusCode);
      }
      // Five tries a minute in all, not five per instance.
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
      const last = await post(one);
      assert.equal(last.headers['ratelimit-limit'], '5');
      assert.ok(Number(last.headers['retry-after']) > 0);

      // The one-second window: shared, then a new one.
      assert.equal((await post(one, '/session/quick')).statusCode, 200);
      assert.equal((await post(two, '/session/quick')).statusCode, 429);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal((await post(two, '/session/quick')).statusCode, 200);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('shares the app-wide limit too with share_global', async () => {
    const prefix = `stryke-test:${randomBytes(6).toString('hex')}:`;
    const toml = `[rate_limit]\nenabled = true\nmax = 3\nshare_global = true\nstore = "redis"\nprefix = "${prefix}"\n`;
    const one = await bootRateLimitApp(toml);
    const two = await bootRateLimitApp(toml);
    try {
      const statuses = [];
      for (const app of [one, two, one, two]) statuses.push((await app.server.inject({ url: '/things' })).statusCode);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
    } finally {
      await one.close();
      await two.close();
    }
    // Without it, each instance counts on its own.
    const solo = `[rate_limit]\nenabled = true\nmax = 3\nstore = "redis"\nprefix = "${prefix}x:"\n`;
    const three = await bootRateLimitApp(solo);
    const four = await bootRateLimitApp(solo);
    try {
      const statuses = [];
      for (const app of [three, four, three, four]) statuses.push((await app.server.inject({ url: '/things' })).statusCode);
      assert.deepEqual(statuses, [200, 200, 200, 200]);
    } finally {
      await three.close();
      await four.close();
    }
  });

  it('lets requests through when Redis cannot be reached (a limiter must not take the app down)', async () => {
    const app = await bootRateLimitApp('[rate_limit]\nstore = "redis"\nurl = "redis://127.0.0.1:1"\n');
    try {
      const res = await app.server.inject({ method: 'POST', url: '/session/quick', headers: { 'content-type': 'application/json' }, payload: '{}' });
      assert.equal(res.statusCode, 200);
    } finally {
      await app.close();
    }
  });
});
