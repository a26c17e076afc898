import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import IORedis from 'ioredis';
import { cache } from 'stryke';
import { Cache, CacheErrors, MemoryStore, cacheSettings, openCache } from '../../framework/cache';
import { configureCache } from '../../framework/cache/internal';
import { ViewEngine } from '../../framework/views';
import { bootFixture } from '../support/boot-fixture';

const REDIS = 'redis://127.0.0.1:6379';

/** The behaviour both stores must share, run against each. */
function sharedBehaviour(name: string, open: () => Cache) {
  describe(`cache on the ${name} store`, () => {
    const c = open();
    after(() => c.close());

    it('fetch computes a missing value once, then serves it without calling fn', async () => {
      let calls = 0;
      const first = await c.fetch('answer', { ttl: 60_000 }, async () => ({ n: ++calls, at: new Date(0) }));
      const second = await c.fetch('answer', { ttl: 60_000 }, async () => ({ n: ++calls, at: new Date(0) }));
      assert.equal(calls, 1);
      // Values go through JSON in every store: a Date comes back as its string, the same on both fetches.
      assert.deepEqual(first, { n: 1, at: '1970-01-01T00:00:00.000Z' });
      assert.deepEqual(second, first);
    });

    it('gives frozen plain data (the same in both stores): changing a fetched value throws, and the cache keeps its copy', async () => {
      const source = { list: [{ id: 1 }], name: 'n' };
      const got = await c.fetch<{ list: { id: number }[]; name: string }>('frozen', { ttl: 60_000 }, async () => source);
      assert.notEqual(got, source, 'not the object fn returned');
      assert.ok(Object.isFrozen(got) && Object.isFrozen(got.list) && Object.isFrozen(got.list[0]));
      assert.throws(() => { got.list[0]!.id = 2; }, TypeError);
      source.list[0]!.id = 3;
      const hit = await c.fetch<typeof got>('frozen', { ttl: 60_000 }, async () => source);
      assert.deepEqual(hit, { list: [{ id: 1 }], name: 'n' });
      assert.ok(Object.isFrozen(await c.read('frozen')));
      const copy = structuredClone(hit);
      copy.list[0]!.id = 4;
      assert.equal(copy.list[0]!.id, 4);
    });

    it('concurrent fetches of one key call fn once (no stampede)', async () => {
      let calls = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const fetches = Array.from({ length: 20 }, () => c.fetch('slow', { ttl: 60_000 }, async () => {
        calls++;
        await gate;
        return [1, 2, 3];
      }));
      release();
      const all = await Promise.all(fetches);
      assert.equal(calls, 1);
      for (const v of all) assert.deepEqual(v, [1, 2, 3]);
    });

    it('read, write and delete', async () => {
      assert.equal(await c.read('nothing-here'), undefined);
      await c.write('k', { a: 'b' });
      assert.deepEqual(await c.read('k'), { a: 'b' });
      await c.write('null', null);
      assert.equal(await c.read('null'), null);
      assert.equal(await c.delete('k'), true);
      assert.equal(await c.delete('k'), false);
      assert.equal(await c.read('k'), undefined);
    });

    it('a failing fn caches nothing and the next fetch tries again', async () => {
      await assert.rejects(c.fetch('flaky', async () => { throw new Error('down'); }), /down/);
      assert.equal(await c.fetch('flaky', async () => 'up'), 'up');
    });

    it('refuses values without a JSON form, bad keys and bad ttls, with codes', async () => {
      await assert.rejects(c.write('u', undefined), { code: CacheErrors.UNSERIALIZABLE.code });
      const cyclic: any = {};
      cyclic.self = cyclic;
      await assert.rejects(c.write('cyclic', cyclic), { code: CacheErrors.UNSERIALIZABLE.code });
      await assert.rejects(c.fetch('fn', async () => () => 1), { code: CacheErrors.UNSERIALIZABLE.code });
      await assert.rejects(c.write('', 1), { code: CacheErrors.BAD_KEY.code });
      await assert.rejects(c.write('x'.repeat(1025), 1), { code: CacheErrors.BAD_KEY.code });
      assert.throws(() => c.fetch('t', { ttl: 0 }, () => 1), { code: CacheErrors.BAD_TTL.code });
      assert.throws(() => c.fetch('t', { ttl: 1.5 }, () => 1), { code: CacheErrors.BAD_TTL.code });
    });
  });
}

sharedBehaviour('memory', () => openCache(cacheSettings({ store: 'memory', max: 100 })));
const namespace = `stryke-test:cache:${randomBytes(6).toString('hex')}:`;
sharedBehaviour('redis', () => openCache(cacheSettings({ store: 'redis', url: REDIS, namespace })));

describe('the memory store', () => {
  it('keeps the value itself: every hit gives the one frozen object, parsed once when it was written', async () => {
    const c = new Cache(new MemoryStore(10), 'm:', 60_000);
    const first = await c.fetch('rows', async () => [{ id: 1, at: new Date(0) }]);
    const second = await c.fetch('rows', async () => []);
    assert.equal(second, first, 'the same object');
    assert.deepEqual(second, [{ id: 1, at: '1970-01-01T00:00:00.000Z' }]);
    await c.write('w', { a: 1 });
    assert.equal(await c.read('w'), await c.read('w'));
  });

  it('keeps each namespace on one store apart: caches sharing a memory store see their own entries', async () => {
    const store = new MemoryStore(10);
    const a = new Cache(store, 'a:', 60_000);
    const b = new Cache(store, 'b:', 60_000);
    assert.equal(await a.fetch('k', () => 'from a'), 'from a');
    assert.equal(await b.fetch('k', () => 'from b'), 'from b');
    assert.equal(await a.fetch('k', () => 'again'), 'from a');
    assert.equal(await b.read('k'), 'from b');
    assert.equal(store.size, 2);
    assert.equal(await a.delete('k'), true);
    assert.equal(await a.read('k'), undefined);
    assert.equal(await b.read('k'), 'from b');
    assert.equal(store.size, 1);
    await store.close();
    assert.equal(store.size, 0);
  });

  it('forgets the least recently used entry beyond max', () => {
    const store = new MemoryStore(2);
    store.setSync('a', '1', 1000);
    store.setSync('b', '2', 1000);
    store.getSync('a'); // a is now more recent than b
    store.setSync('c', '3', 1000);
    assert.equal(store.getSync('b'), undefined);
    assert.equal(store.getSync('a'), '1');
    assert.equal(store.getSync('c'), '3');
    assert.equal(store.size, 2);
  });

  it('drops an entry once its ttl has passed (clock given, not waited for)', () => {
    const store = new MemoryStore(10);
    store.setSync('k', '"v"', 1000, 5_000);
    assert.equal(store.getSync('k', 5_999), '"v"');
    assert.equal(store.getSync('k', 6_000), undefined);
    assert.equal(store.size, 0);
  });
});

describe('the redis store, shared between processes', () => {
  it('stores JSON text under the namespace with the ttl, seen by another cache on the same server', async () => {
    const ns = `stryke-test:cache:${randomBytes(6).toString('hex')}:`;
    const one = openCache(cacheSettings({ store: 'redis', url: REDIS, namespace: ns }));
    const two = openCache(cacheSettings({ store: 'redis', url: REDIS, namespace: ns }));
    const raw = new IORedis(REDIS);
    try {
      await one.fetch('worlds', { ttl: 30_000 }, async () => [{ id: 1, randomNumber: 7 }]);
      assert.equal(await raw.get(`${ns}worlds`), '[{"id":1,"randomNumber":7}]');
      const pttl = await raw.pttl(`${ns}worlds`);
      assert.ok(pttl > 0 && pttl <= 30_000, `pttl ${pttl}`);
      let called = false;
      assert.deepEqual(await two.fetch('worlds', async () => { called = true; return []; }), [{ id: 1, randomNumber: 7 }]);
      assert.equal(called, false);
      await two.delete('worlds');
      assert.equal(await raw.exists(`${ns}worlds`), 0);
    } finally {
      await one.close();
      await two.close();
      raw.disconnect();
    }
  });

  it('computes the value when Redis cannot be reached (the app still answers)', async () => {
    const down = openCache(cacheSettings({ store: 'redis', url: 'redis://127.0.0.1:1', namespace: 'x:' }));
    try {
      assert.equal(await down.fetch('k', async () => 42), 42);
    } finally {
      await down.close();
    }
  });
});

describe('config/cache.toml and the app-wide cache', () => {
  it('refuses unknown keys and stores, with a code', () => {
    assert.throws(() => cacheSettings({ stor: 'memory' }), { code: CacheErrors.BAD_CONFIG.code });
    assert.throws(() => cacheSettings({ store: 'memcached' }), { code: CacheErrors.BAD_CONFIG.code });
    assert.throws(() => cacheSettings({ url: 'http://x' }), { code: CacheErrors.BAD_CONFIG.code });
  });

  it('`cache` from stryke follows configureCache', async () => {
    configureCache({ store: 'memory', ttl: 1000 }, 'blog');
    assert.equal(cache.settings.namespace, 'stryke:cache:blog:');
    await cache.write('greeting', 'hello');
    assert.equal(await cache.read('greeting'), 'hello');
    configureCache(undefined); // a fresh store: nothing carried over
    assert.equal(await cache.read('greeting'), undefined);
  });
});

describe('fragment caching in views', () => {
  const root = mkdtempSync(join(tmpdir(), 'stryke-cache-views-'));
  mkdirSync(join(root, 'app', 'views', 'posts'), { recursive: true });
  writeFileSync(join(root, 'app', 'views', 'posts', 'show.hbs'),
    '{{#cache "card" post}}<h1>{{post.title}}</h1>{{/cache}}|{{#cache "form" post}}<form>{{csrfField}}</form>{{/cache}}|{{post.title}}');
  const views = new ViewEngine(root, {});
  let n = 0;
  const ctx = () => ({ csrfToken: () => `token-${++n}`, flash: {} });
  class Post {
    constructor(public id: number, public title: string, public updatedAt: Date) {}
  }

  it('reuses a record\'s fragment until its updatedAt moves, and never stores one holding the CSRF token', () => {
    const saved = new Date('2026-01-01T00:00:00Z');
    const first = views.render('posts/show', { post: new Post(1, 'First <b>', saved) }, ctx(), false);
    assert.match(first, /^<h1>First &lt;b&gt;<\/h1>\|<form><input type="hidden" name="authenticity_token" value="token-1"><\/form>\|First &lt;b&gt;$/);
    // Same record and updatedAt, different title in memory: the cached fragment is served.
    const again = views.render('posts/show', { post: new Post(1, 'Changed', saved) }, ctx(), false);
    assert.match(again, /^<h1>First &lt;b&gt;<\/h1>\|/);
    assert.match(again, /value="token-2"/, 'the form block is rendered again with this request\'s token');
    assert.match(again, /\|Changed$/);
    // Saved again: a new key, so the new title shows. Another record has its own fragment.
    const later = views.render('posts/show', { post: new Post(1, 'Changed', new Date(saved.getTime() + 1)) }, ctx(), false);
    assert.match(later, /^<h1>Changed<\/h1>/);
    const other = views.render('posts/show', { post: new Post(2, 'Second', saved) }, ctx(), false);
    assert.match(other, /^<h1>Second<\/h1>/);
  });
});

describe('an app with config/cache.toml (store = "redis")', () => {
  it('createApp opens the configured store: `cache.fetch` in an action computes once, and views cache fragments', async () => {
    const namespace = `stryke-test:cache-app:${randomBytes(6).toString('hex')}:`;
    process.env.CACHE_TEST_NAMESPACE = namespace;
    const app = await bootFixture('cache-app');
    const raw = new IORedis(REDIS);
    try {
      assert.equal(cache.settings.store, 'redis');
      assert.equal(cache.settings.namespace, namespace);
      const one = await app.server.inject({ method: 'GET', url: '/things/total' });
      const two = await app.server.inject({ method: 'GET', url: '/things/total' });
      assert.deepEqual(JSON.parse(one.body), { total: 1 });
      assert.deepEqual(JSON.parse(two.body), { total: 1 });
      assert.equal(await raw.get(`${namespace}total`), '{"total":1}');

      const first = (await app.server.inject({ method: 'GET', url: '/things/page?name=First' })).body;
      const renamed = (await app.server.inject({ method: 'GET', url: '/things/page?name=Renamed' })).body;
      const saved = (await app.server.inject({ method: 'GET', url: '/things/page?name=Renamed&saved=1000' })).body;
      assert.match(first, /<h1>First<\/h1>/);
      assert.match(renamed, /<h1>First<\/h1>/, 'same record, same updatedAt: the cached fragment');
      assert.match(renamed, /render 2/, 'the rest of the page is rendered each time');
      assert.match(saved, /<h1>Renamed<\/h1>/, 'a saved record has a new key');
      const token = (body: string) => /name="authenticity_token" value="([^"]+)"/.exec(body)?.[1];
      assert.ok(token(first) && token(renamed) && token(first) !== token(renamed), 'the block with the CSRF token is rendered per request');
    } finally {
      await app.close();
      raw.disconnect();
      delete process.env.CACHE_TEST_NAMESPACE;
    }
  });
});
