import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, SERVER_WAIT, strykeBackground, writeApp } from '../support/cli';

const controller = (word: string, extra = '') => `
import { ActionController, Controller, Get } from 'stryke';
${extra}
@Controller('/')
export class HelloController extends ActionController {
  @Get('/hello')
  hello() {
    return { word: '${word}' };
  }

  @Get('/page')
  page() {
    return this.render('hello/page', { word: '${word}' });
  }
}
`;

/** One GET on a fresh connection (no keep-alive): a refused connection shows as an error, so does a hung one. */
function once(url: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => done({ status: res.statusCode!, body }));
    });
    // A bound for a hung request, not a measure: on a busy machine an answer can take seconds.
    req.setTimeout(60_000, () => req.destroy(new Error('no answer in 60 s')));
    req.on('error', fail);
  });
}

/** Asks until the answer is the expected one; `ms` bounds a hang (a first compile takes minutes on a busy machine). */
async function poll(url: string, accept: (body: string) => boolean, ms = SERVER_WAIT): Promise<string> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    try {
      last = (await once(url)).body;
      if (accept(last)) return last;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} never answered as expected in ${ms / 1000} s; last body: ${last || '(none: nothing answered)'}`);
}

/** Opens the live-reload stream and collects its events. */
function liveStream(url: string): { events: string[]; close(): void } {
  const events: string[] = [];
  let res: IncomingMessage | undefined;
  const req = get(url, { agent: false }, (r) => {
    res = r;
    r.setEncoding('utf8');
    r.on('data', (d: string) => {
      for (const m of d.matchAll(/event: (\w+)\ndata: (.*)\n/g)) events.push(`${m[1]}:${m[2]}`);
    });
  });
  req.on('error', () => {});
  return { events, close: () => (res?.destroy(), req.destroy()) };
}

async function until(check: () => boolean, what: string, ms = SERVER_WAIT): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('stryke dev', () => {
  it('swaps the worker on change with no refused request, reloads browsers, and shows compile and boot errors until fixed', async () => {
    const root = writeApp({
      'config/server.toml': 'log_level = "warn"\n',
      'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/dev.sqlite3"\n',
      'app/controllers/hello_controller.ts': controller('first'),
      'app/views/layouts/application.hbs': '<!doctype html><html><body>{{yield}}</body></html>\n',
      'app/views/hello/page.hbs': '<p class="word">{{word}}</p>\n',
      'public/app.css': 'body { color: black; }\n',
    });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const dev = strykeBackground(['dev', '--root', root, '--port', String(port), '--host', '127.0.0.1']);
    let output = '';
    dev.stdout!.on('data', (d) => (output += d));
    dev.stderr!.on('data', (d) => (output += d));
    const file = join(root, 'app/controllers/hello_controller.ts');
    try {
      await poll(`${base}/hello`, (b) => b.includes('first'));

      // The page carries the live-reload script; the stream says which boot it talks to.
      const page = await once(`${base}/page`);
      assert.match(page.body, /<p class="word">first<\/p>\n<script src="\/__stryke\/live.js" defer><\/script>\n<\/body>/);
      assert.match((await once(`${base}/__stryke/live.js`)).body, /EventSource/);
      const live = liveStream(`${base}/__stryke/live`);
      await until(() => live.events.length > 0, 'the hello event');
      const firstBoot = live.events[0]!;
      assert.match(firstBoot, /^hello:[0-9a-f]{12}$/);

      // A file in public/ changes: browsers reload, the worker stays.
      writeFileSync(join(root, 'public/app.css'), 'body { color: navy; }\n');
      await until(() => live.events.includes('reload:now'), 'a reload event');
      assert.match((await once(`${base}/app.css`)).body, /navy/);

      // A view changes: recompiled in place by the serving worker, browsers reload.
      const reloads = live.events.length;
      writeFileSync(join(root, 'app/views/hello/page.hbs'), '<p class="word">{{word}}, edited</p>\n');
      await poll(`${base}/page`, (b) => b.includes('first, edited'));
      await until(() => live.events.slice(reloads).includes('reload:now'), 'a reload event after the view change');
      await until(() => /app\/views\/hello\/page\.hbs changed: views recompiled, live in \d+ ms/.test(output), 'the view recompile logged');
      // A view that does not compile: the page shows the template's file.
      writeFileSync(join(root, 'app/views/hello/page.hbs'), '{{#if word}}never closed\n');
      const badView = await poll(`${base}/page`, (b) => b.includes('STRYKE_E_VIEW_COMPILE'));
      assert.match(badView, /data-file="app\/views\/hello\/page\.hbs" data-line="2"/);
      writeFileSync(join(root, 'app/views/hello/page.hbs'), '<p class="word">{{word}}</p>\n');
      await poll(`${base}/page`, (b) => b.includes('<p class="word">first</p>'));
      live.close();

      // A controller changes while requests keep coming: every one is answered.
      let stop = false;
      const results: string[] = [];
      const hammer = (async () => {
        while (!stop) {
          try {
            const r = await once(`${base}/hello`);
            results.push(r.status === 200 ? JSON.parse(r.body).word : `status ${r.status}`);
          } catch (err) {
            results.push(`error ${(err as Error).message}`);
          }
        }
      })();
      writeFileSync(file, controller('second'));
      await poll(`${base}/hello`, (b) => b.includes('second'));
      stop = true;
      await hammer;
      assert.deepEqual(results.filter((r) => r !== 'first' && r !== 'second'), [], 'no request failed during the swap');
      assert.ok(results.includes('first') && results.includes('second'));
      await until(() => /app\/controllers\/hello_controller\.ts changed: live in \d+ ms/.test(output), 'the swap logged with its time');
      const live2 = liveStream(`${base}/__stryke/live`);
      await until(() => live2.events.length > 0, 'the hello event');
      assert.notEqual(live2.events[0], firstBoot, 'a new boot id, so an open page reloads');
      live2.close();

      // A compile error: in the terminal and in the browser, with file and line.
      writeFileSync(file, controller('third').replace("return { word: 'third' };", "return { word: 'third' } +;"));
      await until(() => /hello_controller\.ts does not compile/.test(output), 'the compile error');
      assert.match(output, /app\/controllers\/hello_controller\.ts:\d+:\d+ - TS\d+/);
      const broken = await poll(`${base}/hello`, (b) => b.includes('does not compile'));
      assert.match(broken, /data-file="app\/controllers\/hello_controller.ts" data-line="\d+"/);
      assert.match(broken, /\/__stryke\/live\.js/);

      // Fixed: recovers without restarting stryke dev.
      writeFileSync(file, controller('fourth'));
      await poll(`${base}/hello`, (b) => b.includes('fourth'));

      // A type error (the file transpiles, so a worker may boot it ahead of the type-check): never served,
      // the compile error is.
      const seen: string[] = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) seen.push(await once(`${base}/hello`).then((r) => r.body, (err: Error) => `error ${err.message}`));
      })();
      let typeError: string;
      try {
        writeFileSync(file, controller('typed', "const typed: number = 'not a number';"));
        typeError = await poll(`${base}/hello`, (b) => b.includes('does not compile'));
      } finally {
        watching = false;
        await watcher;
      }
      assert.match(typeError, /TS2322/);
      assert.deepEqual(seen.filter((b) => b.includes('"typed"')), [], 'code that does not type-check is never served');
      writeFileSync(file, controller('fourth again'));
      await poll(`${base}/hello`, (b) => b.includes('fourth again'));

      // A boot error (code that throws while loading): file and line of the TypeScript source.
      writeFileSync(file, controller('fifth', "\nif (Date.now() > 0) throw new Error('broken at load');\n"));
      const bootError = await poll(`${base}/hello`, (b) => b.includes('broken at load'));
      assert.match(bootError, /data-file="app\/controllers\/hello_controller.ts" data-line="4"/);
      await until(() => /hello_controller\.ts:4/.test(output), 'the boot error in the terminal');

      writeFileSync(file, controller('sixth'));
      await poll(`${base}/hello`, (b) => b.includes('sixth'));
      assert.equal(dev.exitCode, null, 'stryke dev kept running');
    } finally {
      const exited = dev.exitCode !== null || dev.signalCode !== null ? Promise.resolve() : new Promise((r) => dev.once('exit', r));
      dev.kill('SIGTERM');
      const timer = setTimeout(() => dev.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  });
});
