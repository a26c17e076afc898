import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectChannel, type ChannelTestSocket } from 'stryke/testing';
import { startWorkers, workerPids, writeApp } from '../support/cli';
import { browserClient, type BrowserChannel } from './client-vm';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const app = () =>
  writeApp({
    'config/server.toml': 'log_level = "warn"\n',
    'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
    // A reload on a loaded machine can take a while: keep enough per stream that a client away for it resumes.
    'config/channels.toml': 'messages_per_second = 1000\nburst = 1000\nresume_buffer = 5000\n',
    'config/routes.ts': `
import { routes } from 'stryke';
export default routes((r) => { r.ws('/room', 'room'); });
`,
    'app/channels/room_channel.ts': `
import { Action, ActionChannel, Channel } from 'stryke';

@Channel()
export class RoomChannel extends ActionChannel {
  onConnect() { this.join('room', { presence: { pid: process.pid } }); }
  @Action() pid() { return process.pid; }
  @Action() say(data: unknown) { return this.broadcastTo('room', 'said', data); }
  @Action() who() { return this.presence('room').map((m) => m.pid); }
}
`,
    'app/controllers/publish_controller.ts': `
import { ActionController, broadcastTo, Controller, Post } from 'stryke';

@Controller('/publish')
export class PublishController extends ActionController {
  @Post('/')
  create() { return { id: broadcastTo('room', 'said', { n: Number(this.params.n) }), pid: process.pid }; }
}
`,
  });

const startTwoWorkers = () => startWorkers(app(), 2);

/** Clients until both workers have some: connections are spread across workers by the primary. */
async function clientsOnBothWorkers(url: string): Promise<Map<number, ChannelTestSocket[]>> {
  const by = new Map<number, ChannelTestSocket[]>();
  // A worker counts once it listens, which on a loaded machine can be a while after it was forked: keep trying
  // (bounded), closing the connections a worker that already has two does not need.
  for (let i = 0; i < 600 && (by.size < 2 || [...by.values()].some((l) => l.length < 2)); i++) {
    const c = await connectChannel(url, '/room');
    const pid = (await c.perform('pid')) as number;
    if ((by.get(pid)?.length ?? 0) >= 2) {
      await c.close();
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    by.set(pid, [...(by.get(pid) ?? []), c]);
  }
  assert.equal(by.size, 2, 'connections reached both workers');
  return by;
}

describe('channels under stryke start: broadcasts and presence across workers', () => {
  it('a broadcast on one worker reaches every worker; presence spans them and drops a dead worker', async () => {
    const { server, port, output } = await startTwoWorkers();
    const url = `http://127.0.0.1:${port}`;
    try {
      const by = await clientsOnBothWorkers(url);
      const [pidA, pidB] = [...by.keys()];
      const all = [...by.values()].flat();
      const speaker = by.get(pidA!)![0]!;
      const id = await speaker.perform('say', { hello: 'world' });
      for (const c of all) {
        const e = await c.nextEvent('said');
        assert.deepEqual(e.data, { hello: 'world' });
        assert.equal(e.id, id);
      }
      const listener = by.get(pidB!)![0]!;
      await until(async () => ((await listener.perform('who')) as number[]).length === all.length, 'presence across both workers');
      process.kill(pidA!, 'SIGKILL');
      await until(async () => {
        const who = (await listener.perform('who')) as number[];
        return who.length === by.get(pidB!)!.length && who.every((p) => p === pidB);
      }, 'the dead worker\'s presence dropped', 10_000);
      for (const c of by.get(pidB!)!) await c.close();
    } catch (err) {
      throw Object.assign(err as Error, { message: `${(err as Error).message}\n${output()}` });
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  });

  // The figure: 500 connected clients through a reload of both workers.
  it('a SIGHUP reload with 500 clients: each gets 1001, reconnects to a fresh worker and resumes; every broadcast sent during the reload arrives exactly once, in order', async () => {
    const CLIENTS = 500;
    const { server, port, output } = await startTwoWorkers();
    const host = `127.0.0.1:${port}`;
    const Stryke = browserClient(host);
    const clients: { ch: BrowserChannel; got: number[]; closes: number[] }[] = [];
    let publishing = true;
    let publisher: Promise<void> = Promise.resolve();
    try {
      // Connected in groups of 50 (each group ready before the next), so the workers are not flooded at once.
      for (let i = 0; i < CLIENTS; i++) {
        const entry = { ch: Stryke.channel('/room'), got: [] as number[], closes: [] as number[] };
        entry.ch.on('said', (d) => entry.got.push(d.n));
        entry.ch.on('close', (c) => entry.closes.push(c.code));
        clients.push(entry);
        if (clients.length % 50 === 0) await until(() => clients.every((c) => c.ch.ready), `${clients.length} clients ready`, 120_000);
      }
      await until(() => clients.every((c) => c.ch.ready), 'every client ready', 120_000);
      const pids = new Set<number>();
      for (const c of clients.slice(0, 40)) pids.add((await c.ch.perform('pid')) as number);
      // One publisher, each broadcast after the previous one's response (so "in order" is well defined), on
      // whichever worker its connection lands. A broadcast whose response was lost (its worker was leaving)
      // may or may not have gone out: it is not counted as sent, but it must still not arrive out of order.
      const sent: number[] = [];
      let n = 0;
      publisher = (async () => {
        while (publishing) {
          const k = ++n;
          const res = await fetch(`http://${host}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: k }) }).catch(() => undefined);
          if (res?.ok) {
            await res.json();
            sent.push(k);
          }
          await sleep(50);
        }
      })();
      await until(() => sent.length >= 5, 'broadcasts before the reload', 60_000);
      const before = workerPids(server.pid!);
      server.kill('SIGHUP');
      await until(() => {
        const now = workerPids(server.pid!);
        return now.length === 2 && now.every((p) => !before.includes(p));
      }, 'both workers replaced', 180_000);
      await until(() => clients.every((c) => c.ch.ready), 'every client reconnected', 180_000);
      const atReady = sent.length;
      await until(() => sent.length >= atReady + 5, 'broadcasts after the reload', 60_000);
      publishing = false;
      await publisher;
      const last = sent[sent.length - 1]!;
      await until(() => clients.every((c) => c.got.includes(last)), 'every client to have the last broadcast', 120_000).catch((err) => {
        const missing = clients.map((c) => sent.filter((x) => !c.got.includes(x)).length).filter((m) => m > 0);
        throw new Error(`${err.message}: ${missing.length} clients miss some: ${JSON.stringify(missing.slice(0, 20))}`);
      });
      assert.ok([...pids].every((p) => before.includes(p)), 'the clients were on the workers the reload replaced');
      for (const [i, c] of clients.entries()) {
        const got = new Set(c.got);
        assert.equal(got.size, c.got.length, `client ${i}: no broadcast twice`);
        // Every client was connected before the first broadcast: it has every one, once, in publishing order.
        assert.deepEqual(c.got.filter((x) => sent.includes(x)), sent, `client ${i}: every broadcast, once, in order`);
        assert.ok(c.got.every((x, j) => j === 0 || x > c.got[j - 1]!), `client ${i}: in publishing order`);
        assert.ok(c.closes.includes(1001), `client ${i}: its socket was closed with 1001 by its retiring worker`);
      }
    } catch (err) {
      throw Object.assign(err as Error, { message: `${(err as Error).message}\n${output().slice(-3000)}` });
    } finally {
      publishing = false;
      await publisher;
      for (const c of clients) c.ch.close();
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  });
});
