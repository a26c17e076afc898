import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, strykeBackground, writeApp } from '../support/cli';

const controller = (word: string) => `
import { ActionController, Controller, Get } from 'stryke';

@Controller('/')
export class HelloController extends ActionController {
  @Get('/hello')
  hello() {
    return { word: '${word}' };
  }
}
`;

async function poll(url: string, accept: (body: string) => boolean, ms = 30_000): Promise<string> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    try {
      last = await (await fetch(url)).text();
      if (accept(last)) return last;
    } catch {
      /* restarting */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} never answered as expected; last body: ${last}`);
}

describe('stryke dev', () => {
  it('restarts with the new code when a controller changes, and survives a compile error', async () => {
    const root = writeApp({
      'config/server.toml': 'log_level = "warn"\n',
      'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/dev.sqlite3"\n',
      'app/controllers/hello_controller.ts': controller('first'),
    });
    const port = await freePort();
    const dev = strykeBackground(['dev', '--root', root, '--port', String(port)]);
    let output = '';
    dev.stdout!.on('data', (d) => (output += d));
    dev.stderr!.on('data', (d) => (output += d));
    const url = `http://127.0.0.1:${port}/hello`;
    try {
      await poll(url, (b) => b.includes('first'));
      writeFileSync(join(root, 'app/controllers/hello_controller.ts'), controller('second'));
      await poll(url, (b) => b.includes('second'));

      writeFileSync(join(root, 'app/controllers/hello_controller.ts'), 'this is not typescript {');
      const deadline = Date.now() + 30_000;
      while (!/does not compile/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.match(output, /does not compile/);

      writeFileSync(join(root, 'app/controllers/hello_controller.ts'), controller('third'));
      await poll(url, (b) => b.includes('third'));
    } finally {
      dev.kill('SIGTERM');
    }
  });
});
