import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { connectChannel, type ChannelTestSocket } from 'stryke/testing';
import { freePort, stryke, strykeBackground, waitForHttp, writeApp } from '../support/cli';
import { browserClient, type BrowserChannel } from './client-vm';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function workerPids(primary: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(primary)], { encoding: 'utf8' }).split('\n').map((s) => Number(s.trim())).filter(Boolean);
  } catch {
    return [];
  }
}

const app = () =>
  writeApp({
    'config/server.toml': 'log_level = "warn"\n',
    'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
    'config/channels.toml': 'messages_per_second = 1000\nburst = 1000\n',
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

async function startTwoWorkers() {
  const root = app();
  const built = stryke(['build', '--root', root]);
  assert.equal(built.status, 0, built.stderr + built.stdout);
  const port = await freePort();
  const server = strykeBackground(['start', '--root', root, '--port', String(port), '--workers', '2', '--host', '127.0.0.1']);
  let output = '';
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  try {
    await waitForHttp(`http://127.0.0.1:${port}/health`);
    await until(() => workerPids(server.pid!).length === 2, 'two workers');
  } catch (err) {
    server.kill('SIGKILL');
    throw err;
  }
  return { server, port, output: () => output };
}

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

  it('a SIGHUP reload: clients get 1001, reconnect to fresh workers and resume, missing no broadcast', async () => {
    const { server, port, output } = await startTwoWorkers();
    const host = `127.0.0.1:${port}`;
    const Stryke = browserClient(host);
    const clients: { ch: BrowserChannel; got: number[]; closes: number[] }[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const entry = { ch: Stryke.channel('/room'), got: [] as number[], closes: [] as number[] };
        entry.ch.on('said', (d) => entry.got.push(d.n));
        entry.ch.on('close', (c) => entry.closes.push(c.code));
        clients.push(entry);
      }
      await until(() => clients.every((c) => c.ch.ready), 'every client ready');
      const sent: number[] = [];
      let n = 0;
      let publishing = true;
      const publisher = (async () => {
        while (publishing) {
          const res = await fetch(`http://${host}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: ++n }) }).catch(() => undefined);
          if (res?.ok) sent.push(((await res.json()) as { id: string }) && n);
          await sleep(20);
        }
      })();
      await sleep(300);
      const before = workerPids(server.pid!);
      server.kill('SIGHUP');
      await until(() => {
        const now = workerPids(server.pid!);
        return now.length === 2 && now.every((p) => !before.includes(p));
      }, 'both workers replaced', 60_000);
      await sleep(500);
      publishing = false;
      await publisher;
      await until(() => clients.every((c) => c.ch.ready), 'every client reconnected');
      await until(() => clients.every((c) => sent.every((x) => c.got.includes(x))), 'every client to have every broadcast', 15_000).catch((err) => {
        const missing = clients.map((c) => sent.filter((x) => !c.got.includes(x)).length);
        throw new Error(`${err.message}: missing per client ${JSON.stringify(missing)}`);
      });
      assert.ok(clients.every((c) => c.closes.includes(1001)), 'each socket was closed with 1001 by its retiring worker');
      for (const c of clients) assert.equal(new Set(c.got).size, c.got.length, 'no broadcast twice');
    } catch (err) {
      throw Object.assign(err as Error, { message: `${(err as Error).message}\n${output().slice(-3000)}` });
    } finally {
      for (const c of clients) c.ch.close();
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  });
});
