import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { broadcastTo, presence, type App } from 'stryke';
import { connectChannel, TestClient } from 'stryke/testing';
import { bootFixture } from '../support/boot-fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('channels: classes, actions, streams and limits over a real socket', () => {
  let app: App;
  let port: number;
  before(async () => {
    app = await bootFixture('channels');
    await app.listen(0, '127.0.0.1');
    port = (app.server.server.address() as AddressInfo).port;
  });
  after(async () => app.close());

  it('routes r.ws(path, "chat") and @Channel(path), and lists both as ws routes', () => {
    const ws = app.routes.filter((r) => r.kind === 'ws').map((r) => `${r.path} ${r.controller.name}`).sort();
    assert.deepEqual(ws, ['/chat/:roomId ChatChannel', '/echo EchoChannel']);
  });

  it('runs actions with injected services, replies to the ref, and broadcasts to the room only', async () => {
    const a = await connectChannel(app, '/chat/1');
    const b = await connectChannel(app, '/chat/1');
    const other = await connectChannel(app, '/chat/2');
    assert.equal(await a.perform('greet', { name: 'Ada' }), 'hello, Ada');
    await a.perform('speak', { body: 'hi' });
    const got = await b.nextEvent('message', 'room:1');
    assert.equal(got.data.body, 'hi');
    assert.ok(got.id, 'a broadcast carries an id');
    await a.nextEvent('message', 'room:1');
    await other.perform('greet', { name: 'x' });
    assert.equal(other.events('message').length, 0, 'room 2 never sees room 1');
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  it('broadcastTo from a controller reaches the channel subscribers', async () => {
    const a = await connectChannel(app, '/chat/7');
    const res = await app.server.inject({ method: 'POST', url: '/feed/publish', payload: { stream: 'room:7', title: 'Hello' } });
    assert.equal(res.statusCode, 200);
    const e = await a.nextEvent('headline', 'room:7');
    assert.deepEqual(e.data, { title: 'Hello' });
    assert.equal(e.id, res.json().id);
    await a.close();
  });

  it('tracks presence with join and leave events', async () => {
    const a = await connectChannel(app, '/chat/p?name=ada');
    const b = await connectChannel(app, '/chat/p?name=bob');
    assert.deepEqual(await a.perform('who'), ['ada', 'bob']);
    const joined = await a.next((f) => f.type === 'presence' && f.event === 'join');
    assert.equal(joined.member.name, 'bob');
    assert.deepEqual(presence('room:p').map((m) => m.name).sort(), ['ada', 'bob']);
    await b.close();
    const left = await a.next((f) => f.type === 'presence' && f.event === 'leave');
    assert.equal(left.member.name, 'bob');
    assert.deepEqual(presence('room:p').map((m) => m.name), ['ada']);
    await a.close();
    await until(() => presence('room:p').length === 0, 'presence to empty');
  });

  it('resumes: a client that reconnects with its last event id gets what it missed, once', async () => {
    const a = await connectChannel(app, '/chat/r');
    assert.throws(() => broadcastTo('', 'message', {}), { code: 'STRYKE_E_CHANNELS_BAD_ARGUMENT', message: /^broadcastTo: the stream must be a non-empty string/ });
    broadcastTo('room:r', 'message', { n: 1 });
    const first = await a.nextEvent('message');
    await a.close();
    broadcastTo('room:r', 'message', { n: 2 });
    broadcastTo('room:r', 'message', { n: 3 });
    broadcastTo('room:other', 'message', { n: 99 });
    const back = await connectChannel(app, '/chat/r', { lastEventId: first.id });
    const missed = back.events('message').map((e) => e.data.n);
    assert.deepEqual(missed, [2, 3], 'the missed messages arrive before ready, in order');
    broadcastTo('room:r', 'message', { n: 4 });
    await back.next((f) => f.type === 'event' && f.data.n === 4);
    assert.deepEqual(back.events('message').map((e) => e.data.n), [2, 3, 4]);
    await back.close();
  });

  it('reads the same encrypted cookie session as controllers, and this.reject refuses with a 4xxx code', async () => {
    await assert.rejects(connectChannel(app, '/chat/closed'), (err: any) => err.code === 4403 && err.reason === 'room closed');
    await assert.rejects(connectChannel(app, '/chat/members'), (err: any) => err.code === 4401);
    const client = new TestClient(app.server);
    await client.get('/feed/join');
    const m = await connectChannel(app, '/chat/members', { client });
    assert.deepEqual(await m.perform('whoami'), { member: 'ada', user: null });
    await m.close();
    const forged = connectChannel(app, '/chat/members', { headers: { cookie: '_stryke_session=forged' } });
    await assert.rejects(forged, (err: any) => err.code === 4401);
  });

  it('answers invalid JSON, a non-object, a missing action, an unknown or non-action name with an error frame, and stays open', async () => {
    const c = await connectChannel(app, '/chat/e');
    c.send('{not json');
    c.send('[1,2]');
    c.send({ data: 1 });
    for (const action of ['nope', 'secretHelper', 'constructor', 'toString', '__proto__', 'onConnect', 'join', 'reject', 'hasOwnProperty']) {
      await assert.rejects(c.perform(action), (err: any) => err.code === 'STRYKE_E_CHANNELS_UNKNOWN_ACTION', action);
    }
    await until(() => c.errors().filter((e) => e.code === 'STRYKE_E_CHANNELS_INVALID_MESSAGE').length === 3, 'three invalid-message errors');
    assert.equal(await c.perform('greet', { name: 'still here' }), 'hello, still here');
    await c.close();
  });

  it('a throwing action errors on that connection only; the others carry on', async () => {
    const a = await connectChannel(app, '/chat/t');
    const b = await connectChannel(app, '/chat/t');
    await assert.rejects(a.perform('explode'), (err: any) => err.code === 'STRYKE_E_CHANNELS_ACTION_FAILED');
    assert.equal(b.errors().length, 0);
    await a.perform('speak', { body: 'after' });
    assert.equal((await b.nextEvent('message')).data.body, 'after');
    assert.equal(await a.perform('greet', { name: 'a' }), 'hello, a');
    await Promise.all([a.close(), b.close()]);
  });

  it('checks Origin at the upgrade: its own and allowed origins connect, a foreign one gets 403', async () => {
    for (const origin of ['https://app.example.com', 'https://partner.example.com', `http://127.0.0.1:${port}`]) {
      const ok = await connectChannel(app, '/echo', { headers: { origin } });
      await ok.close();
    }
    await assert.rejects(connectChannel(app, '/echo', { headers: { origin: 'https://evil.example.net' } }), (err: any) => err.status === 403);
    await assert.rejects(connectChannel(app, '/echo', { headers: { origin: 'null' } }), (err: any) => err.status === 403);
  });

  it('closes with 1009 a frame over max_payload (64 KiB by default)', async () => {
    const c = await connectChannel(app, '/echo');
    assert.deepEqual(await c.perform('echo', { s: 'x'.repeat(60_000) }), { s: 'x'.repeat(60_000) });
    c.send(JSON.stringify({ action: 'echo', data: 'y'.repeat(70 * 1024) }));
    assert.equal((await c.closed).code, 1009);
  });

  it('closes with 1008 a client over its message rate; other clients are unaffected', async () => {
    const abuser = await connectChannel(app, '/echo');
    const calm = await connectChannel(app, '/echo');
    for (let i = 0; i < 200; i++) abuser.send({ action: 'echo', data: i });
    assert.equal((await abuser.closed).code, 1008);
    assert.equal(await calm.perform('echo', 'fine'), 'fine');
    await calm.close();
  });

  it('drops a peer that stops answering pings', async () => {
    const c = await connectChannel(app, '/echo');
    // Stop answering: ws answers pings itself, so silence the socket underneath.
    // Stop answering: read nothing (so no pong goes back) for several ping intervals, then look.
    (c.socket as any)._socket.pause();
    await sleep(1500);
    (c.socket as any)._socket.resume();
    const closed = await Promise.race([c.closed, sleep(3000).then(() => undefined)]);
    assert.ok(closed, 'the server cut the silent peer');
    assert.equal(closed.code, 1006, 'cut, not closed politely: the peer was not listening');
  });

  it('disconnects a slow consumer whose buffered amount passes the limit', async () => {
    const c = await connectChannel(app, '/echo');
    (c.socket as any)._socket.pause(); // reads nothing: the server's socket buffer fills
    c.send({ action: 'flood', data: { n: 400, size: 16 * 1024 } });
    // Briefly (well inside a ping interval, so liveness is not what cuts it): all 400 sends happen in one turn.
    await sleep(60);
    (c.socket as any)._socket.resume();
    const closed = await Promise.race([c.closed, sleep(5000).then(() => undefined)]);
    assert.ok(closed, 'the slow client was disconnected instead of buffered without end');
    const fine = await connectChannel(app, '/echo');
    assert.equal(await fine.perform('echo', 1), 1);
    await fine.close();
  });

  it('answers 426 to a plain GET of a channel path', async () => {
    const res = await app.server.inject({ method: 'GET', url: '/echo' });
    assert.equal(res.statusCode, 426);
    assert.equal(res.json().code, 'STRYKE_E_CHANNELS_UPGRADE_REQUIRED');
  });

  it('serves the browser client at a fingerprinted path, cached for a year', async () => {
    const { channelsClientPath } = await import('stryke');
    const path = channelsClientPath();
    assert.match(path, /^\/stryke\/channels-[0-9a-f]{10}\.js$/);
    const res = await app.server.inject({ method: 'GET', url: path });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.match(String(res.headers['cache-control']), /immutable/);
    assert.match(res.body, /Stryke\.channel = function/);
  });

  it('event streams follow broadcasts and resume from Last-Event-ID out of the same buffer', async () => {
    const read = (headers: Record<string, string>, until: (text: string) => boolean) => new Promise<string>((resolve, reject) => {
      const req = request({ port, path: '/feed/live', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
          if (until(text)) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', (err) => (err.message.includes('aborted') ? undefined : reject(err)));
      req.end();
    });
    const live = read({}, (t) => t.includes('"one"'));
    await sleep(100);
    const id1 = broadcastTo('news', 'headline', { title: 'one' });
    const text = await live;
    assert.match(text, new RegExp(`id: ${id1}\\nevent: headline\\ndata: {"title":"one"}`));
    broadcastTo('news', 'headline', { title: 'two' });
    broadcastTo('news', 'headline', { title: 'three' });
    const resumed = await read({ 'last-event-id': id1 }, (t) => t.includes('"three"'));
    assert.doesNotMatch(resumed, /"one"/);
    assert.ok(resumed.indexOf('"two"') < resumed.indexOf('"three"'));
  });
});

describe('channels: shutdown closes sockets with 1001 and ends event streams promptly', () => {
  it('closes every socket with 1001 and ends an open event stream, well before any kill timeout', async () => {
    const app = await bootFixture('channels');
    await app.listen(0, '127.0.0.1');
    const port = (app.server.server.address() as AddressInfo).port;
    const c = await connectChannel(app, '/chat/s');
    const sseEnded = new Promise<void>((resolve) => {
      request({ port, path: '/feed/live' }, (res) => {
        res.resume();
        res.on('end', () => resolve());
        res.on('close', () => resolve());
      }).end();
    });
    await sleep(100);
    const started = Date.now();
    await app.close();
    assert.equal((await c.closed).code, 1001);
    await sseEnded;
    assert.ok(Date.now() - started < 10_000, 'shutdown did not wait for the streams');
  });
});

describe('channels: one app\'s shutdown leaves another app\'s streams in the same process alone', () => {
  it('closing app A ends A\'s event stream and 1001s A\'s socket; app B\'s stream and socket keep receiving', async () => {
    const a = await bootFixture('channels');
    const b = await bootFixture('channels');
    let aClosed = false;
    try {
      await a.listen(0, '127.0.0.1');
      await b.listen(0, '127.0.0.1');
      const portOf = (x: App) => (x.server.server.address() as AddressInfo).port;
      const follow = (port: number) => {
        let text = '';
        let ended = false;
        const req = request({ port, path: '/feed/live' }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => (ended = true));
          res.on('close', () => (ended = true));
        });
        req.on('error', () => (ended = true));
        req.end();
        return { text: () => text, ended: () => ended, stop: () => req.destroy() };
      };
      const sseA = follow(portOf(a));
      const sseB = follow(portOf(b));
      const wsA = await connectChannel(a, '/chat/apps');
      const wsB = await connectChannel(b, '/chat/apps');
      // Both streams are following (each has seen a broadcast) before A closes: a stream subscribes once its
      // request has run, so broadcast until both have one.
      await until(() => {
        broadcastTo('news', 'headline', { title: 'before' });
        return sseA.text().includes('"before"') && sseB.text().includes('"before"');
      }, 'both streams to follow', 20_000);
      aClosed = true;
      await a.close();
      assert.equal((await wsA.closed).code, 1001);
      await until(() => sseA.ended(), 'app A\'s stream to end', 20_000);
      assert.equal(sseB.ended(), false, 'app B\'s stream is still open');
      broadcastTo('news', 'headline', { title: 'after' });
      await until(() => sseB.text().includes('"after"'), 'app B\'s stream to get the next broadcast', 20_000);
      assert.equal(sseB.ended(), false);
      assert.equal(await wsB.perform('greet', { name: 'b' }), 'hello, b', 'app B\'s socket is still served');
      sseB.stop();
      await wsB.close();
    } finally {
      if (!aClosed) await a.close();
      await b.close();
    }
  });
});
