import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { broadcastTo, type App } from 'stryke';
import { connectChannel } from 'stryke/testing';
import { Reassembler, splitUtf8, toParts } from '../../framework/channels/chunks';
import { bootFixture } from '../support/boot-fixture';

const PG = 'postgres://postgres@127.0.0.1:5432/postgres';

/** About 100 KB of text with one-, two-, three- and four-byte characters, so parts are cut between them. */
function bigText(tag: string): string {
  const lines = [`${tag}:`];
  let bytes = 0;
  for (let i = 0; bytes < 100_000; i++) {
    const line = `${i} é€😀 "quoted" \\ line\n`;
    lines.push(line);
    bytes += Buffer.byteLength(line);
  }
  return lines.join('');
}

describe('channels: the postgres adapter carries broadcasts over NOTIFY\'s 8000-byte limit, in parts', () => {
  const channel = `stryke_parts_${process.pid}_${Math.random().toString(36).slice(2, 6)}`;
  let peer: ChildProcess;
  let peerPort: number;
  let app: App;
  let peerErr = '';

  before(async () => {
    // The fixture pings every 0.3 s (its ping test); here a busy test process must not look like a dead peer.
    const adapter = { STRYKE_CHANNELS__ADAPTER: 'postgres', STRYKE_CHANNELS__URL: PG, STRYKE_CHANNELS__CHANNEL: channel, STRYKE_CHANNELS__PING_INTERVAL: '60' };
    const env = { ...process.env, ...adapter };
    Object.assign(process.env, adapter);
    // App B in a process of its own (another machine, as far as channels know); app A in this one.
    peer = spawn(process.execPath, [join(__dirname, 'peer-app.js')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    peer.stderr!.on('data', (d) => (peerErr += d));
    peerPort = await new Promise<number>((resolve, reject) => {
      let out = '';
      peer.stdout!.on('data', (d) => {
        out += d;
        const m = /port (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      peer.once('exit', (code) => reject(new Error(`the peer app exited (${code}): ${peerErr}`)));
    });
    app = await bootFixture('channels');
    await app.listen(0, '127.0.0.1');
  });

  after(async () => {
    await app?.close();
    delete process.env.STRYKE_CHANNELS__ADAPTER;
    delete process.env.STRYKE_CHANNELS__URL;
    delete process.env.STRYKE_CHANNELS__CHANNEL;
    delete process.env.STRYKE_CHANNELS__PING_INTERVAL;
    if (peer && peer.exitCode === null) {
      const exited = new Promise((r) => peer.once('exit', r));
      peer.stdin!.end();
      await exited;
    }
  });

  it('cuts on character boundaries and puts the parts back together in any order', () => {
    const text = JSON.stringify({ d: bigText('unit') });
    const parts = toParts(text, 'k.1');
    assert.ok(parts.length >= 13, `${parts.length} parts`);
    for (const p of parts) assert.ok(Buffer.byteLength(p) < 8000, 'every part fits a NOTIFY');
    assert.equal(splitUtf8(text).join(''), text);
    const r = new Reassembler();
    const shuffled = [...parts].reverse();
    for (const p of shuffled.slice(0, -1)) assert.equal(r.take(p), undefined);
    assert.equal(r.take(shuffled.at(-1)!), text);
    assert.equal(r.pending, 0);
    assert.deepEqual(toParts('{"small":1}', 'k.2'), ['{"small":1}'], 'a payload that fits goes as itself');
    assert.throws(() => r.take('#k.3:5:2:x'), /malformed/);
  });

  it('a 100 KB broadcast crosses between two app instances both ways, whole, once, and in order with the small ones around it', async () => {
    const onB = await connectChannel(`http://127.0.0.1:${peerPort}`, '/chat/big');
    const onA = await connectChannel(app, '/chat/big');
    // A -> B: small, large, small, published back to back.
    const big = bigText('a-to-b');
    broadcastTo('room:big', 'headline', { title: 'first' });
    const id = broadcastTo('room:big', 'headline', { title: big });
    broadcastTo('room:big', 'headline', { title: 'last' });
    // Bounded but generous waits: the machine may be loaded.
    const got = [await onB.nextEvent('headline', 'room:big', 60_000), await onB.nextEvent('headline', 'room:big', 60_000), await onB.nextEvent('headline', 'room:big', 60_000)];
    assert.deepEqual(got.map((e) => (e.data.title === big ? 'BIG' : e.data.title)), ['first', 'BIG', 'last']);
    assert.equal(got[1]!.id, id);
    // B -> A: B's own controller publishes 100 KB.
    const back = bigText('b-to-a');
    const res = await fetch(`http://127.0.0.1:${peerPort}/feed/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stream: 'room:big', title: back }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const { id: backId } = (await res.json()) as { id: string };
    const e = await onA.next((f) => f.type === 'event' && f.id === backId, 60_000);
    assert.equal(e.data.title, back);
    // Nothing came twice (A's own parts are not delivered again when they come back from PostgreSQL).
    await onA.perform('greet', { name: 'sync' });
    assert.equal(onA.events('headline').filter((x) => x.id === backId).length, 1);
    assert.equal(onA.events('headline').filter((x) => x.id === id).length, 1);
    await onA.close();
    await onB.close();
  });
});
