import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
// The fabric and its transports are channels' internals (no package subpath): read from their files.
import { fabric, Fabric } from '../../framework/channels/fabric';
import { postgresTransport } from '../../framework/channels/postgres';
import type { BroadcastMessage } from '../../framework/channels/protocol';
import { redisTransport } from '../../framework/channels/redis';
import type { Transport } from '../../framework/channels/transport';
import { bootFixture } from '../support/boot-fixture';
import { TcpProxy } from '../support/proxy';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A subscriber that records what it receives. */
function recorder() {
  const got: BroadcastMessage[] = [];
  const presence: string[] = [];
  return { got, presence, sub: { deliver: (m: BroadcastMessage) => void got.push(m), presence: (_s: string, e: string, m: { id: string }) => void presence.push(`${e}:${m.id}`) } };
}

interface AdapterCase {
  name: string;
  port: number;
  url: (port: number) => string;
  make: (url: string, channel: string, log: (level: string, message: string) => void) => Transport;
}

const CASES: AdapterCase[] = [
  { name: 'redis', port: 6379, url: (p) => `redis://127.0.0.1:${p}`, make: (url, channel, log) => redisTransport({ url, channel }, log as any) },
  { name: 'postgres', port: 5432, url: (p) => `postgres://postgres@127.0.0.1:${p}/postgres`, make: (url, channel, log) => postgresTransport({ url, channel }, log as any) },
];

for (const c of CASES) {
  describe(`channels across machines: the ${c.name} adapter against the real server`, () => {
    const fabrics: Fabric[] = [];
    const proxies: TcpProxy[] = [];
    after(async () => {
      for (const f of fabrics) await f.close();
      for (const p of proxies) await p.stop();
    });
    const channel = `stryke_test_${process.pid}_${c.name}_${Math.random().toString(36).slice(2, 6)}`;
    const machine = async (port: number) => {
      const f = new Fabric();
      const logs: string[] = [];
      f.log = (level, message) => void logs.push(`${level}: ${message}`);
      fabrics.push(f);
      await f.use(c.make(c.url(port), channel, (level, message) => logs.push(`${level}: ${message}`)));
      return { f, logs };
    };

    it('carries broadcasts and presence between two machines, and keeps the resume buffer on both', async () => {
      const { f: a } = await machine(c.port);
      const { f: b } = await machine(c.port);
      const onB = recorder();
      b.subscribe('room:1', onB.sub);
      await sleep(200);
      const id = a.broadcast('room:1', 'message', { body: 'across' });
      await until(() => onB.got.length === 1, 'the broadcast on machine B');
      assert.equal(onB.got[0]!.id, id);
      assert.deepEqual(onB.got[0]!.data, { body: 'across' });
      assert.deepEqual(b.buffer.since('room:1', '0-0-x').map((m) => m.id), [id], 'B can resume it too');
      a.track('room:1', 'conn-a', { name: 'ada' });
      await until(() => b.presence('room:1').length === 1, 'presence on B');
      assert.equal(b.presence('room:1')[0]!.name, 'ada');
      assert.deepEqual(onB.presence, ['join:conn-a']);
      a.untrack('room:1', 'conn-a');
      await until(() => b.presence('room:1').length === 0, 'the leave on B');
    });

    it('an outage of 10 seconds: local delivery continues, nothing crashes, cross-machine delivery resumes after', async () => {
      const proxy = new TcpProxy(c.port);
      proxies.push(proxy);
      await proxy.start();
      const { f: a, logs } = await machine(proxy.port);
      const { f: b } = await machine(c.port);
      const onA = recorder();
      const onB = recorder();
      a.subscribe('room:o', onA.sub);
      b.subscribe('room:o', onB.sub);
      a.track('room:o', 'conn-a', { name: 'ada' });
      await sleep(200);
      a.broadcast('room:o', 'message', { n: 1 });
      await until(() => onB.got.length === 1, 'delivery before the outage');
      await until(() => b.presence('room:o').length === 1, 'presence before the outage');

      proxy.cut();
      const outageStart = Date.now();
      await sleep(300);
      a.broadcast('room:o', 'message', { n: 2 });
      assert.deepEqual(onA.got.map((m) => (m.data as any).n), [1, 2], 'local delivery continues during the outage');
      b.broadcast('room:o', 'message', { n: 3 });
      await sleep(Math.max(0, 10_000 - (Date.now() - outageStart)));
      assert.ok(logs.some((l) => l.includes('STRYKE_E_CHANNELS_ADAPTER_DOWN') || l.includes('lost its connection')), `the outage was logged: ${logs.join(' | ')}`);
      proxy.restore();

      // Cross-machine delivery resumes once the adapter reconnects (no restart, no crash).
      await until(() => {
        b.broadcast('room:o', 'ping', {});
        return onA.got.some((m) => m.event === 'ping');
      }, 'B -> A after the outage', 20_000);
      a.broadcast('room:o', 'message', { n: 4 });
      await until(() => onB.got.some((m) => (m.data as any).n === 4), 'A -> B after the outage');
      assert.equal(b.presence('room:o').length, 1, 'A\'s presence survived a 10-second outage on B');
    });
  });
}

describe('channels: the adapter comes from config/channels.toml', () => {
  it('boots with adapter = "redis" or "postgres" (environment overrides), and the default needs nothing', async () => {
    for (const [adapter, url] of [['redis', 'redis://127.0.0.1:6379'], ['postgres', 'postgres://postgres@127.0.0.1:5432/postgres'], ['cluster', '']] as const) {
      process.env.STRYKE_CHANNELS__ADAPTER = adapter;
      process.env.STRYKE_CHANNELS__URL = url;
      try {
        const app = await bootFixture('channels');
        assert.equal(fabric.transportName, adapter === 'cluster' ? 'local' : adapter, 'not under stryke start: the default is this process alone');
        await app.close();
        assert.equal(fabric.transportName, 'local');
      } finally {
        delete process.env.STRYKE_CHANNELS__ADAPTER;
        delete process.env.STRYKE_CHANNELS__URL;
      }
    }
    process.env.STRYKE_CHANNELS__ADAPTER = 'carrier-pigeon';
    try {
      await assert.rejects(bootFixture('channels'), (err: any) => err.code === 'STRYKE_E_CHANNELS_BAD_CONFIG' && /carrier-pigeon/.test(err.message));
    } finally {
      delete process.env.STRYKE_CHANNELS__ADAPTER;
    }
  });
});
